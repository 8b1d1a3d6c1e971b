import { z } from 'zod';
import type { PushHooks, WriteOutcome } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { SalesforceClient } from './client.ts';
import type { PollSettings } from './bulk-query.ts';
import { classifyWriteError, parseBulkError } from './write-errors.ts';

/**
 * Bulk API 2.0 update of Account: one CSV job. A blank cell leaves a field as it is, so sparse
 * writes of different fields share one file; `#N/A` clears a field.
 */

export type IngestRow = { id: string; values: Record<string, string | number | boolean | null> };

function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === undefined) return '';
  if (v === null) return '#N/A';
  const s = String(v);
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toIngestCsv(rows: IngestRow[], columns: string[]): string {
  const lines = [['Id', ...columns].join(',')];
  for (const row of rows) lines.push([csvCell(row.id), ...columns.map((c) => csvCell(row.values[c]))].join(','));
  return `${lines.join('\n')}\n`;
}

const jobSchema = z.object({ id: z.string().min(1), state: z.string(), errorMessage: z.string().nullable().optional() });
const rows = z.array(z.record(z.string(), z.unknown()));

async function readCsv(client: SalesforceClient, kind: string, path: string): Promise<Record<string, unknown>[]> {
  const res = await client.send(kind, { method: 'GET', path, headers: { Accept: 'text/csv' } }, 'text/csv');
  const parsed = rows.safeParse(res.body === '' || res.body == null ? [] : res.body);
  if (!parsed.success) throw new CrmError('bad-response', `Bulk API 2.0 ${kind} is not CSV`, { crm: 'salesforce' });
  return parsed.data;
}

export async function bulkUpdateAccounts(client: SalesforceClient, input: IngestRow[], columns: string[], poll: PollSettings, hooks: PushHooks = {}): Promise<WriteOutcome[]> {
  const base = `${client.versionPath}/jobs/ingest`;
  const job = await client.json(
    'bulkIngest',
    {
      method: 'POST',
      path: base,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ object: 'Account', operation: 'update', contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' }),
      // A job created twice (a retry after a lost answer) would leave the first open for good.
      applies: true,
    },
    jobSchema,
  );
  // Recorded before any data goes in: a run stopped from here on leaves a job the next one settles.
  await hooks.jobStarted?.(job.id);
  await client.send('bulkIngest', { method: 'PUT', path: `${base}/${job.id}/batches`, headers: { 'Content-Type': 'text/csv' }, body: toIngestCsv(input, columns), applies: true });
  await client.send('bulkIngest', {
    method: 'PATCH',
    path: `${base}/${job.id}`,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ state: 'UploadComplete' }),
    applies: true,
  });
  const deadline = Date.now() + poll.timeoutMs;
  for (;;) {
    const status = await client.json('bulkIngestStatus', { method: 'GET', path: `${base}/${job.id}` }, jobSchema);
    if (['JobComplete', 'Failed', 'Aborted'].includes(status.state)) break;
    if (Date.now() >= deadline) throw new CrmError('unavailable', `Bulk API 2.0 update job ${job.id} not done after ${Math.round(poll.timeoutMs / 1000)} s`, { crm: 'salesforce' });
    await client.sleep(poll.intervalMs);
  }
  const failures = new Map<string, WriteOutcome>();
  for (const row of await readCsv(client, 'bulkIngestResults', `${base}/${job.id}/failedResults/`)) {
    const id = String(row['Id'] || row['sf__Id'] || '');
    const { code, message } = parseBulkError(String(row['sf__Error'] ?? ''));
    failures.set(id, { accountId: id, ok: false, errorKind: classifyWriteError(code), code, message });
  }
  for (const row of await readCsv(client, 'bulkIngestResults', `${base}/${job.id}/unprocessedrecords/`)) {
    const id = String(row['Id'] ?? '');
    failures.set(id, { accountId: id, ok: false, errorKind: 'transient', code: 'UNPROCESSED', message: 'not processed by the Bulk API job' });
  }
  return input.map((r) => failures.get(r.id) ?? { accountId: r.id, ok: true });
}
