import express, { type Request, type Response, type Router } from 'express';
import type { SfContext } from './context.ts';
import { SfHttpError } from './context.ts';
import { checkLayout, layoutContent } from './layouts.ts';
import { admitSfCall } from './middleware.ts';
import { customFieldBody, fieldFromMetadata } from './routes-tooling.ts';
import { customObjectDef, type SfFieldDef } from './schema.ts';
import { attributeOf, buildXml, childText, childrenNamed, contentOf, findElement, parseXml, tagOf, type XmlNode } from './xml-tree.ts';

/**
 * The Metadata API calls Kamflow's provisioning makes (Metadata API Developer Guide, CRUD-Based
 * Calls): createMetadata of CustomObject and CustomField, readMetadata of CustomObject and
 * Layout, updateMetadata of Layout. SOAP over `POST /services/Soap/m/<version>`, the session in
 * the SessionHeader; at most 10 components a call; per-component SaveResults with errors, and
 * SOAP faults (HTTP 500) for a call that cannot be carried out at all.
 */

const MAX_COMPONENTS = 10;
const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

class SoapFault extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function sendFault(res: Response, code: string, message: string): void {
  res.status(500).type('text/xml').send(
    `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${escapeXml(`${code}: ${message}`)}</faultstring></soapenv:Fault>${ENVELOPE_CLOSE}`,
  );
}

interface SaveResult {
  fullName: string;
  error?: { statusCode: string; message: string };
}

function saveResultsXml(results: SaveResult[]): string {
  return results.map((r) => r.error
    ? `<result><errors><message>${escapeXml(r.error.message)}</message><statusCode>${r.error.statusCode}</statusCode></errors><fullName>${escapeXml(r.fullName)}</fullName><success>false</success></result>`
    : `<result><fullName>${escapeXml(r.fullName)}</fullName><success>true</success></result>`).join('');
}

/** Metadata values arrive as text: numbers and booleans are read as the XSD types them. */
function fieldMetadataOf(nodes: XmlNode[]): Record<string, unknown> {
  const md: Record<string, unknown> = {};
  for (const n of nodes) {
    const tag = tagOf(n);
    if (!tag || tag === 'fullName') continue;
    const text = childText([n], tag) ?? '';
    if (['length', 'precision', 'scale', 'visibleLines'].includes(tag)) md[tag] = Number(text);
    else if (['externalId', 'unique', 'required', 'caseSensitive'].includes(tag)) md[tag] = text === 'true';
    else if (tag === 'defaultValue') md[tag] = text;
    else if (tag === 'valueSet') {
      const values = childrenNamed(contentOf(findElement([n], 'valueSetDefinition') ?? n), 'value').map((v) => ({ fullName: childText(contentOf(v), 'fullName') ?? '', label: childText(contentOf(v), 'label') ?? undefined }));
      md[tag] = { valueSetDefinition: { value: values } };
    } else md[tag] = text;
  }
  return md;
}

function createCustomObject(ctx: SfContext, nodes: XmlNode[], fullName: string): SaveResult['error'] {
  const base = fullName.endsWith('__c') ? fullName.slice(0, -3) : '';
  // Object names start with a letter, hold no double underscore and do not end in one.
  if (!/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/.test(base) || base.endsWith('_')) {
    return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Custom object names must end in __c: ${fullName}` };
  }
  if (ctx.store.schema.has(fullName)) return { statusCode: 'DUPLICATE_DEVELOPER_NAME', message: `There is already an object named ${fullName.replace(/__c$/, '')}` };
  for (const required of ['label', 'pluralLabel', 'deploymentStatus', 'sharingModel']) {
    if (!childText(nodes, required)) return { statusCode: 'REQUIRED_FIELD_MISSING', message: `Must specify a non-empty ${required} for the CustomObject` };
  }
  const nameField = childrenNamed(nodes, 'nameField')[0];
  const nameType = nameField ? childText(contentOf(nameField), 'type') : null;
  if (!nameField || (nameType !== 'Text' && nameType !== 'AutoNumber')) return { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Must specify a nameField of type Text or AutoNumber' };
  const sharing = childText(nodes, 'sharingModel') ?? '';
  if (!['Private', 'Read', 'ReadWrite', 'ReadWriteTransfer', 'FullAccess', 'ControlledByParent'].includes(sharing)) {
    return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `invalid sharingModel ${sharing}` };
  }
  const def = customObjectDef(fullName, childText(contentOf(nameField), 'label') ?? 'Name');
  def.metadata = { label: childText(nodes, 'label') ?? fullName, pluralLabel: childText(nodes, 'pluralLabel') ?? fullName, sharingModel: sharing, nameFieldLabel: childText(contentOf(nameField), 'label') ?? 'Name' };
  if (nameType === 'AutoNumber') def.requiredOnInsert = [];
  ctx.store.addCustomObject(def);
  return undefined;
}

function createCustomField(ctx: SfContext, nodes: XmlNode[], fullName: string): SaveResult['error'] {
  const body = customFieldBody.safeParse({ FullName: fullName, Metadata: fieldMetadataOf(nodes) });
  if (!body.success) {
    const issue = body.error.issues[0];
    return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `${issue?.path.join('.') ?? 'metadata'}: ${issue?.message ?? 'invalid'}` };
  }
  const [objectName, fieldName] = fullName.split('.') as [string, string];
  const obj = ctx.store.schema.get(objectName);
  if (!obj || obj.multiCurrencyOnly) return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `Cannot find the entity ${objectName}` };
  if (obj.fields.some((f) => f.name.toLowerCase() === fieldName.toLowerCase())) {
    return { statusCode: 'DUPLICATE_DEVELOPER_NAME', message: `There is already a field named ${fieldName.replace(/__c$/, '')} on ${objectName}.` };
  }
  try {
    ctx.store.addCustomField(objectName, fieldFromMetadata(fieldName, body.data.Metadata));
  } catch (e) {
    if (e instanceof SfHttpError) return { statusCode: e.errorCode, message: e.message };
    throw e;
  }
  return undefined;
}

const TYPE_NAMES: Partial<Record<SfFieldDef['type'], string>> = {
  string: 'Text', textarea: 'LongTextArea', double: 'Number', percent: 'Percent', currency: 'Currency', boolean: 'Checkbox', picklist: 'Picklist', datetime: 'DateTime', date: 'Date',
};

function customObjectXml(ctx: SfContext, fullName: string): string | null {
  const def = ctx.store.schema.get(fullName);
  if (!def?.metadata) return null;
  const fields = def.fields.filter((f) => f.custom).map((f) => {
    const parts = [`<fullName>${f.name}</fullName>`];
    if (f.externalId) parts.push('<externalId>true</externalId>');
    parts.push(`<label>${escapeXml(f.label)}</label>`);
    if (f.length !== undefined && (f.type === 'string' || f.type === 'textarea')) parts.push(`<length>${f.length}</length>`);
    parts.push(`<type>${TYPE_NAMES[f.type] ?? 'Text'}</type>`);
    if (f.unique) parts.push('<unique>true</unique>');
    return `<fields>${parts.join('')}</fields>`;
  }).join('');
  const md = def.metadata;
  return `<fullName>${fullName}</fullName><deploymentStatus>Deployed</deploymentStatus>${fields}<label>${escapeXml(md.label)}</label>`
    + `<nameField><label>${escapeXml(md.nameFieldLabel)}</label><type>Text</type></nameField><pluralLabel>${escapeXml(md.pluralLabel)}</pluralLabel><sharingModel>${md.sharingModel}</sharingModel>`;
}

function readMetadata(ctx: SfContext, call: XmlNode[]): string {
  const type = childText(call, 'type') ?? '';
  const names = childrenNamed(call, 'fullNames').map((n) => childText([n], 'fullNames') ?? '');
  if (names.length > MAX_COMPONENTS) throw new SoapFault('INVALID_ARGUMENT', `readMetadata takes at most ${MAX_COMPONENTS} full names`);
  if (type !== 'Layout' && type !== 'CustomObject') throw new SoapFault('INVALID_TYPE', `This type of metadata is not available for this organization: ${type}`);
  // A name that matches nothing gives an empty record (no fullName), never a fault.
  const records = names.map((name) => {
    if (type === 'CustomObject') {
      const xml = customObjectXml(ctx, name);
      return xml === null ? '<records xsi:type="CustomObject"/>' : `<records xsi:type="CustomObject">${xml}</records>`;
    }
    const content = ctx.store.layouts.get(name);
    return content === undefined ? '<records xsi:type="Layout"/>' : `<records xsi:type="Layout"><fullName>${escapeXml(name)}</fullName>${content}</records>`;
  });
  return `<readMetadataResponse><result>${records.join('')}</result></readMetadataResponse>`;
}

function components(call: XmlNode[]): { type: string; fullName: string; content: XmlNode[] }[] {
  const list = childrenNamed(call, 'metadata').map((m) => {
    const content = contentOf(m);
    return { type: attributeOf(m, 'type') ?? '', fullName: childText(content, 'fullName') ?? '', content };
  });
  if (list.length === 0) throw new SoapFault('INVALID_ARGUMENT', 'no metadata components given');
  if (list.length > MAX_COMPONENTS) throw new SoapFault('INVALID_ARGUMENT', `at most ${MAX_COMPONENTS} components a call`);
  if (new Set(list.map((c) => c.type)).size > 1) throw new SoapFault('INVALID_ARGUMENT', 'all components of a call must be of the same type');
  return list;
}

function createMetadata(ctx: SfContext, call: XmlNode[]): string {
  const results = components(call).map((c): SaveResult => {
    if (c.fullName === '') return { fullName: '', error: { statusCode: 'REQUIRED_FIELD_MISSING', message: 'fullName is required' } };
    let error: SaveResult['error'];
    if (c.type === 'CustomObject') error = createCustomObject(ctx, c.content, c.fullName);
    else if (c.type === 'CustomField') error = createCustomField(ctx, c.content, c.fullName);
    else throw new SoapFault('INVALID_TYPE', `createMetadata of ${c.type} is not served by this simulator`);
    return error ? { fullName: c.fullName, error } : { fullName: c.fullName };
  });
  return `<createMetadataResponse>${saveResultsXml(results)}</createMetadataResponse>`;
}

function updateMetadata(ctx: SfContext, call: XmlNode[]): string {
  const results = components(call).map((c): SaveResult => {
    if (c.type !== 'Layout') throw new SoapFault('INVALID_TYPE', `updateMetadata of ${c.type} is not served by this simulator`);
    if (layoutContent(ctx.store, c.fullName) === null) {
      return { fullName: c.fullName, error: { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: fullName - no Layout named ${c.fullName} found` } };
    }
    const body = c.content.filter((n) => tagOf(n) !== 'fullName');
    const problem = checkLayout(ctx.store, c.fullName, body);
    if (problem) return { fullName: c.fullName, error: problem };
    // updateMetadata replaces the whole component: what the client left out is gone.
    ctx.store.layouts.set(c.fullName, buildXml(body));
    return { fullName: c.fullName };
  });
  return `<updateMetadataResponse>${saveResultsXml(results)}</updateMetadataResponse>`;
}

export function salesforceMetadataRoutes(ctx: SfContext): Router {
  const r = express.Router();
  const xml = express.text({ type: ['text/xml', 'application/soap+xml'], limit: '5mb' });
  r.post('/services/Soap/m/:version', xml, async (req: Request, res: Response) => {
    if (!/^\d+\.\d$/.test(String(req.params['version']))) {
      sendFault(res, 'UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL: ${String(req.params['version'])}`);
      return;
    }
    const tree = parseXml(typeof req.body === 'string' ? req.body : '');
    const body = findElement(tree, 'Body');
    const call = body ? contentOf(body).find((n) => tagOf(n) !== null) : undefined;
    const operation = call ? tagOf(call) ?? '' : '';
    const refusal = await admitSfCall(ctx, `metadata.${operation || 'unknown'}`, childText(contentOf(findElement(tree, 'SessionHeader') ?? {}), 'sessionId'));
    if (refusal) {
      sendFault(res, refusal.errorCode, refusal.message);
      return;
    }
    if (!call) {
      sendFault(res, 'INVALID_XML', 'The request is not a SOAP envelope with a body');
      return;
    }
    try {
      const content = contentOf(call);
      const answer = operation === 'readMetadata' ? readMetadata(ctx, content)
        : operation === 'createMetadata' ? createMetadata(ctx, content)
        : operation === 'updateMetadata' ? updateMetadata(ctx, content)
        : null;
      if (answer === null) {
        sendFault(res, 'INVALID_OPERATION', `${operation} is not served by this simulator`);
        return;
      }
      res.status(200).type('text/xml').send(`${ENVELOPE_OPEN}${answer}${ENVELOPE_CLOSE}`);
    } catch (e) {
      if (e instanceof SoapFault) {
        sendFault(res, e.code, e.message);
        return;
      }
      throw e;
    }
  });
  return r;
}

