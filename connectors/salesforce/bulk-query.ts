import { z } from 'zod';
import { CrmError } from '../../src/contract/errors.ts';
import { stopError, type SalesforceClient } from './client.ts';
import type { RawRecord } from './query.ts';

/** Bulk API 2.0 query: a job, polled until done, whose CSV results are read page by page. */

const jobSchema = z.object({
  id: z.string().min(1),
  state: z.string(),
  errorMessage: z.string().nullable().optional(),
});

export interface PollSettings {
  intervalMs: number;
  timeoutMs: number;
}

export async function createQueryJob(client: SalesforceClient, soql: string): Promise<string> {
  try {
    const job = await client.json(
      'bulkQuery',
      {
        method: 'POST',
        path: `${client.versionPath}/jobs/query`,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ operation: 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' }),
      },
      jobSchema,
    );
    return job.id;
  } catch (e) {
    throw stopError('Bulk API 2.0 query job', e);
  }
}

export async function waitForQueryJob(client: SalesforceClient, jobId: string, poll: PollSettings): Promise<void> {
  const deadline = Date.now() + poll.timeoutMs;
  for (;;) {
    const job = await client.json('bulkQueryStatus', { method: 'GET', path: `${client.versionPath}/jobs/query/${jobId}` }, jobSchema);
    if (job.state === 'JobComplete') return;
    if (job.state === 'Failed' || job.state === 'Aborted') {
      throw new CrmError('bad-response', `Bulk API 2.0 query job ${jobId} ended ${job.state}: ${job.errorMessage ?? 'no message'}`, { crm: 'salesforce' });
    }
    if (Date.now() >= deadline) {
      throw new CrmError('unavailable', `Bulk API 2.0 query job ${jobId} not done after ${Math.round(poll.timeoutMs / 1000)} s`, { crm: 'salesforce' });
    }
    await client.sleep(poll.intervalMs);
  }
}

export interface BulkResultPage {
  records: RawRecord[];
  /** Locator of the next page, or null when this was the last. */
  nextLocator: string | null;
}

const csvRows = z.array(z.record(z.string(), z.unknown()));

/** One page of results; `locator` is '' for the first page. */
export async function fetchQueryResults(client: SalesforceClient, jobId: string, locator: string, maxRecords: number): Promise<BulkResultPage> {
  const params = new URLSearchParams({ maxRecords: String(maxRecords) });
  if (locator) params.set('locator', locator);
  const res = await client.send(
    'bulkQueryResults',
    { method: 'GET', path: `${client.versionPath}/jobs/query/${jobId}/results?${params.toString()}`, headers: { Accept: 'text/csv' } },
    'text/csv',
  );
  // An empty result set comes back as an empty body, which parses to nothing.
  const body = res.body === '' || res.body === undefined || res.body === null ? [] : res.body;
  const rows = csvRows.safeParse(body);
  if (!rows.success) throw new CrmError('bad-response', `Bulk API 2.0 results of job ${jobId} are not CSV rows`, { crm: 'salesforce' });
  const next = res.headers['sforce-locator'];
  return { records: rows.data, nextLocator: next && next !== 'null' ? next : null };
}
