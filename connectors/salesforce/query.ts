import { z } from 'zod';
import type { SalesforceClient } from './client.ts';

/** SOQL text and REST query / queryMore calls. */

export type RawRecord = Record<string, unknown>;

export const queryResultSchema = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});
export type QueryResult = z.infer<typeof queryResultSchema>;

/** A child relationship in a record: `null` when empty, or a nested query result. */
export const childResultSchema = queryResultSchema.nullable().optional();

export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A SOQL datetime literal (unquoted, UTC). */
export function soqlDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`not a datetime: ${iso}`);
  const s = d.toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, 19)}Z` : s;
}

/**
 * A record id as Salesforce accepts it in SOQL: 15 alphanumerics, or 18 with the case-safe
 * suffix. The org refuses any other ID literal, the empty string included, with
 * INVALID_QUERY_FILTER_OPERATOR "invalid ID field", so no other value may reach a query.
 */
export function isSalesforceId(value: string): boolean {
  return /^[A-Za-z0-9]{15}(?:[A-Za-z0-5]{3})?$/.test(value);
}

/**
 * The keyset condition of an incremental read: everything after (ts, id) in
 * `ORDER BY SystemModstamp, Id` order, so records sharing a timestamp are not skipped. Without a
 * record id yet (a cursor that starts at a moment, not after a record) it is everything from ts on.
 */
export function afterCursorCondition(ts: string, id: string): string {
  const t = soqlDateTime(ts);
  if (!isSalesforceId(id)) return `SystemModstamp >= ${t}`;
  return `(SystemModstamp > ${t} OR (SystemModstamp = ${t} AND Id > ${soqlString(id)}))`;
}

export function selectSoql(parts: { fields: readonly string[]; from: string; where?: string; orderBy?: string; limit?: number }): string {
  let q = `SELECT ${parts.fields.join(', ')} FROM ${parts.from}`;
  if (parts.where) q += ` WHERE ${parts.where}`;
  if (parts.orderBy) q += ` ORDER BY ${parts.orderBy}`;
  if (parts.limit !== undefined) q += ` LIMIT ${parts.limit}`;
  return q;
}

/** Runs a query (or queryAll) and returns its first batch. */
export async function queryFirst(
  client: SalesforceClient,
  soql: string,
  options: { all?: boolean; batchSize?: number } = {},
): Promise<QueryResult> {
  const resource = options.all ? 'queryAll' : 'query';
  return client.json(
    options.all ? 'queryAll' : 'query',
    {
      method: 'GET',
      path: `${client.versionPath}/${resource}?q=${encodeURIComponent(soql)}`,
      ...(options.batchSize ? { headers: { 'Sforce-Query-Options': `batchSize=${options.batchSize}` } } : {}),
    },
    queryResultSchema,
  );
}

/** Fetches the next batch from a `nextRecordsUrl` (main query or child relationship). */
export async function queryMore(client: SalesforceClient, nextRecordsUrl: string, batchSize?: number): Promise<QueryResult> {
  const path = nextRecordsUrl.startsWith('http') ? new URL(nextRecordsUrl).pathname : nextRecordsUrl;
  return client.json(
    'queryMore',
    { method: 'GET', path, ...(batchSize ? { headers: { 'Sforce-Query-Options': `batchSize=${batchSize}` } } : {}) },
    queryResultSchema,
  );
}

/** Runs a query to the end (for small reads such as metadata rows). */
export async function queryAllPages(client: SalesforceClient, soql: string): Promise<RawRecord[]> {
  let res = await queryFirst(client, soql);
  const out = [...res.records];
  while (!res.done && res.nextRecordsUrl) {
    res = await queryMore(client, res.nextRecordsUrl);
    out.push(...res.records);
  }
  return out;
}
