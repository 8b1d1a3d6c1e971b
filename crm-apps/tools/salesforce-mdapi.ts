// Converts the Salesforce DX project in crm-apps/salesforce to Metadata API format, offline, with
// the library the Salesforce CLI's `sf project convert source` runs (@salesforce/source-deploy-retrieve).
//   npm run salesforce:mdapi -- --output-dir out/salesforce-mdapi [--public-url https://kamflow.example.org] [--contact-email admin@example.org]
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

export const SALESFORCE_PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'salesforce');

/** The Salesforce CLI libraries read these: no telemetry, no update checks, no log file in ~/.sf. */
const QUIET_ENV: Record<string, string> = {
  SF_DISABLE_TELEMETRY: 'true',
  SFDX_DISABLE_TELEMETRY: 'true',
  SF_AUTOUPDATE_DISABLE: 'true',
  SFDX_AUTOUPDATE_DISABLE: 'true',
  SF_SKIP_NEW_VERSION_CHECK: 'true',
  SF_DISABLE_LOG_FILE: 'true',
  SFDX_DISABLE_LOG_FILE: 'true',
};

export class SalesforceProjectError extends Error {
  override readonly name = 'SalesforceProjectError';
}

export interface ConvertOptions {
  projectDir?: string;
  outputDir: string;
  /** Kamflow's public https origin: the External Client App's callback becomes `<origin>/connect/salesforce/callback`. */
  publicUrl?: string | undefined;
  /** The External Client App's contact email. */
  contactEmail?: string | undefined;
}

export interface ConvertResult {
  outputDir: string;
  /** package.xml's members by metadata type. */
  types: Record<string, string[]>;
  apiVersion: string;
  /** Values still at the project's example placeholders. */
  warnings: string[];
}

const projectSchema = z.object({
  packageDirectories: z.array(z.object({ path: z.string().min(1), default: z.boolean().optional() })).min(1),
  sourceApiVersion: z.string().regex(/^\d+\.0$/, 'sourceApiVersion must look like "64.0"'),
});

const PLACEHOLDER_CALLBACK = 'https://kamflow.example.com/connect/salesforce/callback';
const PLACEHOLDER_EMAIL = 'kamflow-admin@example.com';

function readProject(projectDir: string): z.infer<typeof projectSchema> {
  const file = join(projectDir, 'sfdx-project.json');
  if (!existsSync(file)) throw new SalesforceProjectError(`${file}: not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SalesforceProjectError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = projectSchema.safeParse(raw);
  if (!parsed.success) throw new SalesforceProjectError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  return parsed.data;
}

function origin(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SalesforceProjectError(`--public-url ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'https:') throw new SalesforceProjectError(`--public-url must be https (Salesforce refuses other OAuth callbacks), got ${u.protocol}`);
  return u.origin;
}

const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const METADATA_NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/**
 * What the conversion itself lets through: a malformed XML file (a decomposed child such as a field
 * is then dropped from its object without a word), a file outside the metadata namespace, a
 * Lightning component bundle without its script or its -meta.xml.
 */
export function lintSource(projectDir: string, packageDirs: readonly string[]): string[] {
  const problems: string[] = [];
  for (const pkg of packageDirs) {
    const root = join(projectDir, pkg);
    if (!existsSync(root)) {
      problems.push(`${pkg}: package directory not found`);
      continue;
    }
    for (const file of filesUnder(root)) {
      const rel = relative(projectDir, file);
      if (rel.split(/[\\/]/).includes('__tests__')) continue;
      if (file.endsWith('.xml')) {
        const xml = readFileSync(file, 'utf8');
        const valid = XMLValidator.validate(xml);
        if (valid !== true) problems.push(`${rel}:${valid.err.line}: ${valid.err.msg}`);
        else if (!xml.includes(METADATA_NS)) problems.push(`${rel}: the root element lacks ${METADATA_NS}`);
      }
    }
    const bundles = new Set(filesUnder(root).map((f) => dirname(f)).filter((d) => basename(dirname(d)) === 'lwc'));
    for (const dir of bundles) {
      const bundle = basename(dir);
      for (const needed of [`${bundle}.js`, `${bundle}.js-meta.xml`]) {
        if (!existsSync(join(dir, needed))) problems.push(`${relative(projectDir, dir)}: the component bundle has no ${needed}`);
      }
    }
  }
  return problems;
}

/** Sets one element's text in a converted file; the file must hold it exactly once. */
function setElement(file: string, element: string, value: string): void {
  const xml = readFileSync(file, 'utf8');
  const re = new RegExp(`<${element}>[^<]*</${element}>`, 'g');
  const count = xml.match(re)?.length ?? 0;
  if (count !== 1) throw new SalesforceProjectError(`${file}: expected one <${element}>, found ${count}`);
  writeFileSync(file, xml.replace(re, `<${element}>${xmlText(value)}</${element}>`));
}

export async function convertSalesforceProject(options: ConvertOptions): Promise<ConvertResult> {
  const projectDir = resolve(options.projectDir ?? SALESFORCE_PROJECT_DIR);
  const project = readProject(projectDir);
  // Checked before anything is written.
  const callback = options.publicUrl === undefined ? undefined : `${origin(options.publicUrl)}/connect/salesforce/callback`;
  if (options.contactEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(options.contactEmail)) {
    throw new SalesforceProjectError(`--contact-email ${JSON.stringify(options.contactEmail)} is not an email address`);
  }
  for (const [k, v] of Object.entries(QUIET_ENV)) process.env[k] ??= v;
  const problems = lintSource(projectDir, project.packageDirectories.map((d) => d.path));
  if (problems.length > 0) throw new SalesforceProjectError(`${projectDir}: ${problems.join('; ')}`);
  const { ComponentSetBuilder, MetadataConverter, RegistryAccess } = await import('@salesforce/source-deploy-retrieve');
  const outputDir = resolve(options.outputDir);
  let types: Record<string, string[]>;
  try {
    const set = await ComponentSetBuilder.build({
      sourceapiversion: project.sourceApiVersion,
      sourcepath: project.packageDirectories.map((d) => join(projectDir, d.path)),
      projectDir,
    });
    const converter = new MetadataConverter(new RegistryAccess(undefined, projectDir));
    await converter.convert(set, 'metadata', { type: 'directory', outputDirectory: outputDir, genUniqueDir: false });
    const manifest = await set.getObject();
    types = Object.fromEntries(manifest.Package.types.map((t) => [t.name, [...t.members]]));
  } catch (e) {
    if (e instanceof SalesforceProjectError) throw e;
    throw new SalesforceProjectError(`${projectDir}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }

  const warnings: string[] = [];
  const global = join(outputDir, 'extlClntAppGlobalOauthSets', 'Kamflow_glbloauth.ecaGlblOauth');
  const header = join(outputDir, 'externalClientApps', 'Kamflow.eca');
  if (callback !== undefined) setElement(global, 'callbackUrl', callback);
  else if (existsSync(global) && readFileSync(global, 'utf8').includes(PLACEHOLDER_CALLBACK)) warnings.push(`the External Client App's callback is still ${PLACEHOLDER_CALLBACK}; pass --public-url`);
  if (options.contactEmail !== undefined) setElement(header, 'contactEmail', options.contactEmail);
  else if (existsSync(header) && readFileSync(header, 'utf8').includes(PLACEHOLDER_EMAIL)) warnings.push(`the External Client App's contact email is still ${PLACEHOLDER_EMAIL}; pass --contact-email`);
  return { outputDir, types, apiVersion: project.sourceApiVersion, warnings };
}

/** Converts into a fresh temporary directory, for checks; the caller removes it. */
export async function convertToTemp(options: Omit<ConvertOptions, 'outputDir'> = {}): Promise<ConvertResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-mdapi-'));
  try {
    return await convertSalesforceProject({ ...options, outputDir: join(dir, 'mdapi') });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'output-dir': { type: 'string' },
      'public-url': { type: 'string' },
      'contact-email': { type: 'string' },
      'project-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values['output-dir']) {
    process.stdout.write('usage: npm run salesforce:mdapi -- --output-dir DIR [--public-url https://...] [--contact-email ADDRESS]\n');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  try {
    const r = await convertSalesforceProject({
      outputDir: values['output-dir'],
      projectDir: values['project-dir'],
      publicUrl: values['public-url'],
      contactEmail: values['contact-email'],
    });
    const count = Object.values(r.types).reduce((n, m) => n + m.length, 0);
    process.stdout.write(`wrote ${r.outputDir} (package.xml, API ${r.apiVersion}, ${count} components)\n`);
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  } catch (e) {
    if (!(e instanceof SalesforceProjectError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
