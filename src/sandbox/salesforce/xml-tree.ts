import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * XML as an ordered tree (fast-xml-parser's preserveOrder form), so that what a client sent can be
 * kept and handed back element for element, in its order, as the Metadata API does.
 */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false, trimValues: true });
const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true });

export function parseXml(text: string): XmlNode[] {
  const parsed: unknown = parser.parse(text);
  return Array.isArray(parsed) ? (parsed as XmlNode[]) : [];
}

export function buildXml(nodes: XmlNode[]): string {
  return String(builder.build(nodes));
}

/** The element's name, or null for text and declarations. */
export function tagOf(node: XmlNode): string | null {
  const key = Object.keys(node).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'));
  return key ?? null;
}

export function contentOf(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  const inner = tag ? node[tag] : undefined;
  return Array.isArray(inner) ? (inner as XmlNode[]) : [];
}

export function attributeOf(node: XmlNode, name: string): string | undefined {
  const attrs = node[':@'];
  if (!attrs || typeof attrs !== 'object') return undefined;
  const v: unknown = Reflect.get(attrs, `@_${name}`);
  return typeof v === 'string' ? v : undefined;
}

export function childrenNamed(nodes: XmlNode[], tag: string): XmlNode[] {
  return nodes.filter((n) => tagOf(n) === tag);
}

/** The text of the first child element with this name, or null. */
export function childText(nodes: XmlNode[], tag: string): string | null {
  const first = childrenNamed(nodes, tag)[0];
  if (!first) return null;
  const text = contentOf(first).find((n) => '#text' in n);
  return text ? String(text['#text']) : '';
}

/** Finds the first element with this name at any depth. */
export function findElement(nodes: XmlNode[], tag: string): XmlNode | null {
  for (const n of nodes) {
    if (tagOf(n) === tag) return n;
    const inner = findElement(contentOf(n), tag);
    if (inner) return inner;
  }
  return null;
}

export function element(tag: string, children: XmlNode[] | string, attributes?: Record<string, string>): XmlNode {
  const node: XmlNode = { [tag]: typeof children === 'string' ? [{ '#text': children }] : children };
  if (attributes) node[':@'] = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`@_${k}`, v]));
  return node;
}
