/**
 * The sources Kamflow knows, by id. `registry.ts` must hold one module for each (a missing or
 * extra entry does not compile); this list has no imports so that the exempt tools (simulator,
 * demo, tests) can name the kinds without loading every connector.
 */
export const SOURCE_KINDS = ['salesforce', 'hubspot', 'spreadsheet'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export function isSourceKind(id: string): id is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(id);
}
