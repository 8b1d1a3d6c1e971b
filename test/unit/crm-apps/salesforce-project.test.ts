import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAuthorizeUrl } from '../../../connectors/salesforce/auth.ts';
import { customFieldMetadata, SALESFORCE_OUTPUT_FIELDS } from '../../../mappings/salesforce.ts';
import { SALESFORCE_OVERRIDE_FIELDS } from '../../../mappings/salesforce-output.ts';
import { convertSalesforceProject, convertToTemp, SALESFORCE_PROJECT_DIR, SalesforceProjectError, type ConvertResult } from '../../../crm-apps/tools/salesforce-mdapi.ts';

const SRC = join(SALESFORCE_PROJECT_DIR, 'force-app', 'main', 'default');
const LISTS = new Set([
  'CustomField.valueSet.valueSetDefinition.value',
  'PermissionSet.fieldPermissions',
  'PermissionSet.objectPermissions',
  'LightningComponentBundle.targets.target',
  'LightningComponentBundle.targetConfigs.targetConfig.objects.object',
]);
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (_name, jpath) => LISTS.has(String(jpath)) });
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function xml(path: string): Record<string, unknown> {
  return parser.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
function rec(v: unknown): Record<string, unknown> {
  expect(typeof v).toBe('object');
  return v as Record<string, unknown>;
}
const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));

/** A DX field file read back into the Tooling API body that provisioning sends for the same field. */
function asToolingMetadata(field: Record<string, unknown>): Record<string, unknown> {
  const meta: Record<string, unknown> = { type: field['type'], label: field['label'] };
  for (const k of ['length', 'precision', 'scale', 'visibleLines'] as const) if (field[k] !== undefined) meta[k] = num(field[k]);
  if (field['defaultValue'] !== undefined) meta['defaultValue'] = field['defaultValue'];
  if (field['valueSet'] !== undefined) {
    const vs = rec(field['valueSet']);
    const def = rec(vs['valueSetDefinition']);
    meta['valueSet'] = {
      restricted: vs['restricted'] === 'true',
      valueSetDefinition: {
        sorted: def['sorted'] === 'true',
        value: (def['value'] as Record<string, unknown>[]).map((v) => ({ fullName: v['fullName'], label: v['label'], default: v['default'] === 'true' })),
      },
    };
  }
  return meta;
}

describe('the Salesforce DX project', () => {
  const fieldDir = join(SRC, 'objects', 'Account', 'fields');

  it('holds one field file per Kamflow output field and per override field, defined exactly as provisioning creates it', () => {
    const files = readdirSync(fieldDir).filter((f) => f.endsWith('.field-meta.xml'));
    expect(files.map((f) => f.replace('.field-meta.xml', '')).sort()).toEqual([...SALESFORCE_OUTPUT_FIELDS, ...SALESFORCE_OVERRIDE_FIELDS].map((f) => f.apiName).sort());
    for (const spec of [...SALESFORCE_OUTPUT_FIELDS, ...SALESFORCE_OVERRIDE_FIELDS]) {
      const field = rec(xml(join(fieldDir, `${spec.apiName}.field-meta.xml`))['CustomField']);
      expect(field['fullName'], spec.apiName).toBe(spec.apiName);
      expect(asToolingMetadata(field), spec.apiName).toEqual(customFieldMetadata(spec));
    }
  });

  it('grants reps read-only access and the integration user edit access to every KAM field and the run status', () => {
    const runFields = readdirSync(join(SRC, 'objects', 'KAM_Run__c', 'fields')).map((f) => `KAM_Run__c.${f.replace('.field-meta.xml', '')}`);
    const overrides = SALESFORCE_OVERRIDE_FIELDS.map((f) => `Account.${f.apiName}`);
    const expected = [...SALESFORCE_OUTPUT_FIELDS.map((f) => `Account.${f.apiName}`), ...overrides, ...runFields].sort();
    const perms = (name: string) => rec(xml(join(SRC, 'permissionsets', `${name}.permissionset-meta.xml`))['PermissionSet']);
    const reader = perms('Kamflow_Reader');
    const fieldsOf = (ps: Record<string, unknown>) => (ps['fieldPermissions'] as Record<string, unknown>[]).map((p) => [p['field'], p['readable'], p['editable']]);
    expect(fieldsOf(reader)).toEqual(expected.map((f) => [f, 'true', 'false']));
    expect((reader['objectPermissions'] as Record<string, unknown>[]).map((o) => [o['object'], o['allowRead'], o['allowCreate'], o['allowEdit']])).toEqual([['KAM_Run__c', 'true', 'false', 'false']]);
    const integration = perms('Kamflow');
    expect(fieldsOf(integration)).toEqual(expected.map((f) => [f, 'true', 'true']));
    expect((integration['objectPermissions'] as Record<string, unknown>[]).map((o) => [o['object'], o['allowRead'], o['allowCreate'], o['allowEdit'], o['allowDelete']])).toEqual([['KAM_Run__c', 'true', 'true', 'true', 'false']]);
    // Managers type the overrides: read and edit on those four fields, nothing else.
    expect(fieldsOf(perms('Kamflow_Manager'))).toEqual([...overrides].sort().map((f) => [f, 'true', 'true']));
  });

  it('has the card read every KAM field, placed on the Account record page', () => {
    const js = readFileSync(join(SRC, 'lwc', 'kamAccountCard', 'kamAccountCard.js'), 'utf8');
    const imported = [...js.matchAll(/from '@salesforce\/schema\/Account\.(\w+)'/g)].map((m) => m[1]);
    expect(imported.sort()).toEqual(SALESFORCE_OUTPUT_FIELDS.filter((f) => f.key !== 'kam_key_account').map((f) => f.apiName).sort());
    expect(js).not.toMatch(/@salesforce\/apex/);
    const bundle = rec(xml(join(SRC, 'lwc', 'kamAccountCard', 'kamAccountCard.js-meta.xml'))['LightningComponentBundle']);
    expect(bundle['isExposed']).toBe('true');
    expect(rec(bundle['targets'])['target']).toEqual(['lightning__RecordPage']);
    const config = rec(rec(bundle['targetConfigs'])['targetConfig']);
    expect(rec(config['objects'])['object']).toEqual(['Account']);
    const page = readFileSync(join(SRC, 'flexipages', 'Kamflow_Account_Record_Page.flexipage-meta.xml'), 'utf8');
    expect(page).toContain('<componentName>kamAccountCard</componentName>');
    expect(page).toContain('<sobjectType>Account</sobjectType>');
  });

  it("declares the External Client App the way Kamflow's OAuth client uses it", () => {
    const global = rec(xml(join(SRC, 'extlClntAppGlobalOauthSets', 'Kamflow_glbloauth.ecaGlblOauth-meta.xml'))['ExtlClntAppGlobalOauthSettings']);
    expect(global['externalClientApplication']).toBe('Kamflow');
    expect([global['isPkceRequired'], global['isConsumerSecretOptional'], global['isSecretRequiredForRefreshToken']]).toEqual(['true', 'false', 'true']);
    // The callback is the console's route: <KAMFLOW_PUBLIC_URL>/connect/salesforce/callback.
    expect(new URL(String(global['callbackUrl'])).pathname).toBe('/connect/salesforce/callback');
    const settings = rec(xml(join(SRC, 'extlClntAppOauthSettings', 'Kamflow_oauth.ecaOauth-meta.xml'))['ExtlClntAppOauthSettings']);
    // Api = "api", RefreshToken = "refresh_token, offline_access": what the connector asks for.
    expect(String(settings['commaSeparatedOauthScopes']).split(',')).toEqual(['Api', 'RefreshToken']);
    const asked = new URL(buildAuthorizeUrl({ loginUrl: 'https://login.salesforce.com', clientId: 'id', redirectUri: 'https://k.test/cb' }, { state: 's', codeChallenge: 'c' })).searchParams.get('scope');
    expect(asked?.split(' ')).toEqual(['api', 'refresh_token']);
    expect(rec(xml(join(SRC, 'externalClientApps', 'Kamflow.eca-meta.xml'))['ExternalClientApplication'])['distributionState']).toBe('Local');
  });
});

describe('conversion to Metadata API format', () => {
  let converted: ConvertResult;

  it('converts offline with the Salesforce CLI library, leaving the tests and tooling out', async () => {
    converted = await convertToTemp({ publicUrl: 'https://kamflow.acme.test/ignored/path', contactEmail: 'ops@acme.test' });
    temps.push(join(converted.outputDir, '..'));
    expect(converted.apiVersion).toBe('64.0');
    expect(Object.keys(converted.types).sort()).toEqual([
      'CustomField', 'CustomObject', 'ExternalClientApplication', 'ExtlClntAppGlobalOauthSettings', 'ExtlClntAppOauthConfigurablePolicies',
      'ExtlClntAppOauthSettings', 'FlexiPage', 'LightningComponentBundle', 'PermissionSet',
    ]);
    expect(converted.types['CustomField']).toEqual([
      ...[...SALESFORCE_OUTPUT_FIELDS, ...SALESFORCE_OVERRIDE_FIELDS].map((f) => `Account.${f.apiName}`).sort(),
      'KAM_Run__c.Connection_Key__c', 'KAM_Run__c.Last_Run_Finished_At__c', 'KAM_Run__c.Next_Run_Due_By__c',
    ]);
    expect(converted.types['LightningComponentBundle']).toEqual(['kamAccountCard']);
    expect(converted.types['PermissionSet']).toEqual(['Kamflow', 'Kamflow_Manager', 'Kamflow_Reader']);
    const out = converted.outputDir;
    expect(readFileSync(join(out, 'package.xml'), 'utf8')).toContain('<version>64.0</version>');
    expect(readdirSync(join(out, 'lwc', 'kamAccountCard')).sort()).toEqual(['kamAccountCard.css', 'kamAccountCard.html', 'kamAccountCard.js', 'kamAccountCard.js-meta.xml', 'kamText.js']);
    // Fields are composed into their objects, as the Metadata API wants them.
    const account = readFileSync(join(out, 'objects', 'Account.object'), 'utf8');
    expect(account.match(/<fields>/g)).toHaveLength(SALESFORCE_OUTPUT_FIELDS.length + SALESFORCE_OVERRIDE_FIELDS.length);
  });

  it('sets the callback and contact of the External Client App from the options, and warns when left as examples', async () => {
    const out = converted.outputDir;
    expect(readFileSync(join(out, 'extlClntAppGlobalOauthSets', 'Kamflow_glbloauth.ecaGlblOauth'), 'utf8')).toContain('<callbackUrl>https://kamflow.acme.test/connect/salesforce/callback</callbackUrl>');
    expect(readFileSync(join(out, 'externalClientApps', 'Kamflow.eca'), 'utf8')).toContain('<contactEmail>ops@acme.test</contactEmail>');
    expect(converted.warnings).toEqual([]);
    const plain = await convertToTemp();
    temps.push(join(plain.outputDir, '..'));
    expect(plain.warnings).toHaveLength(2);
    expect(plain.warnings[0]).toContain('--public-url');
    await expect(convertToTemp({ publicUrl: 'http://kamflow.acme.test' })).rejects.toThrow(/must be https/);
    await expect(convertToTemp({ contactEmail: 'nobody' })).rejects.toBeInstanceOf(SalesforceProjectError);
  });

  /** A copy of the project with one thing broken. */
  function broken(change: (dir: string) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-dx-'));
    temps.push(dir);
    cpSync(SALESFORCE_PROJECT_DIR, dir, { recursive: true, filter: (p) => !p.includes('node_modules') });
    change(join(dir, 'force-app', 'main', 'default'));
    return dir;
  }
  const convertBroken = (dir: string) => convertSalesforceProject({ projectDir: dir, outputDir: join(dir, 'out') });

  it('fails on a file the conversion cannot place, naming it', async () => {
    const dir = broken((src) => cpSync(join(src, 'objects', 'Account', 'fields', 'KAM_Why__c.field-meta.xml'), join(src, 'objects', 'Account', 'fields', 'KAM_Why__c.fild-meta.xml')));
    await expect(convertBroken(dir)).rejects.toThrow(/KAM_Why__c\.fild-meta\.xml: Could not infer a metadata type/);
  });

  it('fails on malformed XML, which the conversion alone would drop without a word', async () => {
    const dir = broken((src) => writeFileSync(join(src, 'objects', 'Account', 'fields', 'KAM_Why__c.field-meta.xml'), '<CustomField><fullName>KAM_Why__c</CustomField>'));
    await expect(convertBroken(dir)).rejects.toThrow(/KAM_Why__c\.field-meta\.xml:1: /);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('fails on a component bundle without its -meta.xml, or a project file that is not JSON', async () => {
    const noMeta = broken((src) => unlinkSync(join(src, 'lwc', 'kamAccountCard', 'kamAccountCard.js-meta.xml')));
    await expect(convertBroken(noMeta)).rejects.toThrow(/the component bundle has no kamAccountCard\.js-meta\.xml/);
    const badJson = broken(() => undefined);
    writeFileSync(join(badJson, 'sfdx-project.json'), '{ "packageDirectories": [');
    await expect(convertBroken(badJson)).rejects.toThrow(/sfdx-project\.json: not valid JSON/);
  });
});
