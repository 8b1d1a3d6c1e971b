import type { ProvisionReport } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { SalesforceHttpError, type SalesforceClient } from './client.ts';
import { el, inner, named, nameOf, readMetadata, textOf, updateMetadata, type XmlNode } from './metadata-api.ts';

/**
 * Puts Kamflow's fields on Account page layouts through the Metadata API: read the layout, add
 * what is missing to a "Kamflow" section (made when absent), write the layout back. A field an
 * admin already placed anywhere stays where it is; nothing on the layout is removed or moved, and
 * a layout holding every field is not written at all.
 */

export const KAMFLOW_SECTION = 'Kamflow';
export const DEFAULT_PAGE_LAYOUTS = ['Account-Account Layout'] as const;

type Step = ProvisionReport['steps'][number];

export interface LayoutField {
  apiName: string;
  /** Fields reps (or managers) type into are editable; the ones Kamflow computes are read-only. */
  behavior: 'Edit' | 'Readonly';
}

function fieldsOnLayout(layout: readonly XmlNode[]): Set<string> {
  const found = new Set<string>();
  for (const section of named(layout, 'layoutSections')) {
    for (const column of named(inner(section), 'layoutColumns')) {
      for (const item of named(inner(column), 'layoutItems')) {
        const field = textOf(inner(item), 'field');
        if (field) found.add(field);
      }
    }
  }
  return found;
}

const itemOf = (f: LayoutField): XmlNode => el('layoutItems', [el('behavior', f.behavior), el('field', f.apiName)]);

/** Splits fields over two columns, top to bottom, keeping their order. */
function twoColumns(fields: readonly LayoutField[]): [XmlNode[], XmlNode[]] {
  const half = Math.ceil(fields.length / 2);
  return [fields.slice(0, half).map(itemOf), fields.slice(half).map(itemOf)];
}

function newSection(fields: readonly LayoutField[]): XmlNode {
  const [left, right] = twoColumns(fields);
  return el('layoutSections', [
    el('customLabel', 'true'), el('detailHeading', 'true'), el('editHeading', 'true'), el('label', KAMFLOW_SECTION),
    el('layoutColumns', left), el('layoutColumns', right), el('style', 'TwoColumnsTopToBottom'),
  ]);
}

/** Adds the missing fields to the section's columns, after what is there. */
function extendSection(section: XmlNode, fields: readonly LayoutField[]): void {
  const content = inner(section);
  const columns = named(content, 'layoutColumns');
  const last = columns[columns.length - 1];
  if (!last) {
    content.push(el('layoutColumns', fields.map(itemOf)));
    return;
  }
  // Items go into the shortest column, so the section stays balanced.
  for (const f of fields) {
    const target = columns.reduce((a, b) => (named(inner(b), 'layoutItems').length < named(inner(a), 'layoutItems').length ? b : a), last);
    inner(target).push(itemOf(f));
  }
}

/**
 * The layout with the missing fields added, or null when every field is already on it. The new
 * section goes after the last field section, before the custom links section when there is one.
 */
export function withKamflowFields(layout: readonly XmlNode[], fields: readonly LayoutField[]): { layout: XmlNode[]; added: string[] } | null {
  const present = fieldsOnLayout(layout);
  const missing = fields.filter((f) => !present.has(f.apiName));
  if (missing.length === 0) return null;
  const copy = structuredClone([...layout]);
  const sections = named(copy, 'layoutSections');
  const ours = sections.find((s) => textOf(inner(s), 'label') === KAMFLOW_SECTION && textOf(inner(s), 'style') !== 'CustomLinks');
  if (ours) {
    extendSection(ours, missing);
  } else {
    const fieldSections = sections.filter((s) => textOf(inner(s), 'style') !== 'CustomLinks');
    const after = fieldSections[fieldSections.length - 1] ?? sections[sections.length - 1];
    const at = after ? copy.indexOf(after) + 1 : copy.findIndex((n) => (nameOf(n) ?? '') > 'layoutSections');
    copy.splice(at < 0 ? copy.length : at, 0, newSection(missing));
  }
  return { layout: copy, added: missing.map((f) => f.apiName) };
}

function failure(e: unknown): string {
  if (e instanceof SalesforceHttpError) return `${e.errorCode}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** One step per layout: created (fields added), exists (all there), skipped (no such layout) or failed. */
export async function placeFieldsOnLayouts(client: SalesforceClient, layoutNames: readonly string[], fields: readonly LayoutField[]): Promise<Step[]> {
  const steps: Step[] = [];
  let read: (XmlNode[] | null)[];
  try {
    read = await readMetadata(client, 'Layout', layoutNames);
  } catch (e) {
    if (e instanceof CrmError) throw e;
    return layoutNames.map((name) => ({ name: `page-layout ${name}`, status: 'failed', message: failure(e) }));
  }
  for (const [i, name] of layoutNames.entries()) {
    const layout = read[i];
    const stepName = `page-layout ${name}`;
    if (!layout) {
      steps.push({ name: stepName, status: 'skipped', message: `the org has no page layout named "${name}"; name yours with connect --option pageLayouts=...` });
      continue;
    }
    const next = withKamflowFields(layout, fields);
    if (!next) {
      steps.push({ name: stepName, status: 'exists' });
      continue;
    }
    try {
      const [result] = await updateMetadata(client, 'Layout', [next.layout]);
      if (result?.success) steps.push({ name: stepName, status: 'created', message: `added to the ${KAMFLOW_SECTION} section: ${next.added.join(', ')}` });
      else steps.push({ name: stepName, status: 'failed', message: result?.errors.join('; ') || 'no result for the layout update' });
    } catch (e) {
      if (e instanceof CrmError) throw e;
      steps.push({ name: stepName, status: 'failed', message: failure(e) });
    }
  }
  return steps;
}
