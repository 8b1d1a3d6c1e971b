import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { CrmError } from '../../src/contract/errors.ts';
import type { SalesforceClient } from './client.ts';

/**
 * The Metadata API's CRUD calls (readMetadata, createMetadata, updateMetadata) over SOAP,
 * `POST /services/Soap/m/<version>`. Components are handled as ordered XML trees, so a component
 * read and written back keeps every element Kamflow does not touch, in its order.
 */

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false, trimValues: true });
const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true });

/** At most 10 components per CRUD call (Metadata API Developer Guide, createMetadata, Limits). */
export const MAX_COMPONENTS = 10;

export function nameOf(node: XmlNode): string | null {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?')) ?? null;
}

export function inner(node: XmlNode): XmlNode[] {
  const name = nameOf(node);
  const value = name ? node[name] : undefined;
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

export function named(nodes: readonly XmlNode[], name: string): XmlNode[] {
  return nodes.filter((n) => nameOf(n) === name);
}

export function textOf(nodes: readonly XmlNode[], name: string): string | null {
  const first = named(nodes, name)[0];
  if (!first) return null;
  const t = inner(first).find((n) => '#text' in n);
  return t ? String(t['#text']) : '';
}

export function el(name: string, content: XmlNode[] | string): XmlNode {
  return { [name]: typeof content === 'string' ? [{ '#text': content }] : content };
}

function find(nodes: readonly XmlNode[], name: string): XmlNode | null {
  for (const n of nodes) {
    if (nameOf(n) === name) return n;
    const deeper = find(inner(n), name);
    if (deeper) return deeper;
  }
  return null;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface MetadataSaveResult {
  fullName: string;
  success: boolean;
  /** `statusCode: message` of each error. */
  errors: string[];
}

async function call(client: SalesforceClient, operation: string, kind: string, content: string): Promise<XmlNode[]> {
  const version = client.versionPath.replace(/^.*\/v/, '');
  const res = await client.send(kind, {
    method: 'POST',
    path: `/services/Soap/m/${version}`,
    headers: { 'Content-Type': 'text/xml; charset=UTF-8', SOAPAction: '""' },
    body: (sessionId) =>
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://soap.sforce.com/2006/04/metadata">'
      + `<soapenv:Header><SessionHeader><sessionId>${escapeXml(sessionId)}</sessionId></SessionHeader></soapenv:Header>`
      + `<soapenv:Body><${operation}>${content}</${operation}></soapenv:Body></soapenv:Envelope>`,
  }, 'text/plain');
  const tree: unknown = parser.parse(typeof res.body === 'string' ? res.body : '');
  const response = Array.isArray(tree) ? find(tree as XmlNode[], `${operation}Response`) : null;
  if (!response) throw new CrmError('bad-response', `unexpected Salesforce answer to ${operation}: no ${operation}Response`, { crm: 'salesforce' });
  return inner(response);
}

function saveResults(nodes: XmlNode[]): MetadataSaveResult[] {
  return named(nodes, 'result').map((r) => {
    const content = inner(r);
    return {
      fullName: textOf(content, 'fullName') ?? '',
      success: textOf(content, 'success') === 'true',
      errors: named(content, 'errors').map((e) => `${textOf(inner(e), 'statusCode') ?? 'ERROR'}: ${textOf(inner(e), 'message') ?? ''}`),
    };
  });
}

/** Each name's component as an ordered tree of its elements, or null when the org has none of that name. */
export async function readMetadata(client: SalesforceClient, type: string, fullNames: readonly string[]): Promise<(XmlNode[] | null)[]> {
  if (fullNames.length > MAX_COMPONENTS) throw new RangeError(`readMetadata takes at most ${MAX_COMPONENTS} names`);
  const content = `<type>${escapeXml(type)}</type>${fullNames.map((n) => `<fullNames>${escapeXml(n)}</fullNames>`).join('')}`;
  const result = named(await call(client, 'readMetadata', 'metadataRead', content), 'result')[0];
  const records = result ? named(inner(result), 'records') : [];
  // A name that matches nothing comes back as a record without a fullName.
  return fullNames.map((_, i) => {
    const record = records[i];
    const body = record ? inner(record) : [];
    return textOf(body, 'fullName') ? body : null;
  });
}

function componentsXml(type: string, components: readonly XmlNode[][]): string {
  if (components.length > MAX_COMPONENTS) throw new RangeError(`at most ${MAX_COMPONENTS} components a call`);
  return components.map((c) => `<metadata xsi:type="${type}">${String(builder.build(c))}</metadata>`).join('');
}

export async function createMetadata(client: SalesforceClient, type: string, components: readonly XmlNode[][]): Promise<MetadataSaveResult[]> {
  return saveResults(await call(client, 'createMetadata', 'metadataCreate', componentsXml(type, components)));
}

/** Replaces each component whole: send back everything read, with the changes. */
export async function updateMetadata(client: SalesforceClient, type: string, components: readonly XmlNode[][]): Promise<MetadataSaveResult[]> {
  return saveResults(await call(client, 'updateMetadata', 'metadataUpdate', componentsXml(type, components)));
}
