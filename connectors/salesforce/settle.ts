import { z } from 'zod';
import type { SettleReport } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { Logger } from '../../src/log.ts';
import type { PollSettings } from './bulk-query.ts';
import type { SalesforceClient } from './client.ts';

/**
 * Bulk API 2.0 ingest jobs a stopped run left behind. A job is Kamflow's when the engine
 * recorded it, or when it is an Account update job of Kamflow's own user that is still Open:
 * a job created by a retried request whose first answer was lost never reached the engine.
 * Open jobs are aborted (nothing in them was processed: an ingest job processes nothing before
 * UploadComplete); jobs already closed are waited for, so the pull after sees their effect.
 * Get All Jobs (GET /jobs/ingest, jobType=V2Ingest) answers 1000 jobs a page, in no order, and
 * a nextRecordsUrl until done.
 */

const jobInfo = z.object({
  id: z.string().min(1),
  object: z.string().optional(),
  operation: z.string().optional(),
  createdById: z.string().optional(),
  state: z.string(),
});
const jobPage = z.object({ done: z.boolean(), records: z.array(jobInfo), nextRecordsUrl: z.string().nullable().optional() });
const userInfo = z.object({ user_id: z.string().min(1) });

const FINISHED = new Set(['JobComplete', 'Failed', 'Aborted']);
/** The most pages of Get All Jobs read; an org with more than 20,000 ingest jobs is settled by known ids only beyond that. */
const MAX_PAGES = 20;

async function listIngestJobs(client: SalesforceClient): Promise<z.output<typeof jobInfo>[]> {
  const jobs: z.output<typeof jobInfo>[] = [];
  let path: string | null = `${client.versionPath}/jobs/ingest?jobType=V2Ingest`;
  for (let page = 0; path !== null && page < MAX_PAGES; page++) {
    const res: z.output<typeof jobPage> = await client.json('bulkIngestList', { method: 'GET', path }, jobPage);
    jobs.push(...res.records);
    path = res.done || !res.nextRecordsUrl ? null : res.nextRecordsUrl;
  }
  return jobs;
}

export async function settleIngestJobs(client: SalesforceClient, knownJobs: readonly string[], poll: PollSettings, logger: Logger): Promise<SettleReport> {
  const base = `${client.versionPath}/jobs/ingest`;
  const me = await client.json('userinfo', { method: 'GET', path: '/services/oauth2/userinfo' }, userInfo);
  const known = new Set(knownJobs);
  const mine = (await listIngestJobs(client)).filter((j) =>
    !FINISHED.has(j.state)
    && (known.has(j.id) || (j.state === 'Open' && j.object === 'Account' && j.operation === 'update' && j.createdById === me.user_id)));
  const report: SettleReport = { aborted: [], finished: [] };
  for (const job of mine) {
    if (job.state === 'Open') {
      await client.send('bulkIngest', { method: 'PATCH', path: `${base}/${job.id}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'Aborted' }), applies: true });
      report.aborted.push(job.id);
      continue;
    }
    const deadline = Date.now() + poll.timeoutMs;
    for (;;) {
      const status = await client.json('bulkIngestStatus', { method: 'GET', path: `${base}/${job.id}` }, jobInfo);
      if (FINISHED.has(status.state)) break;
      if (Date.now() >= deadline) throw new CrmError('unavailable', `Bulk API 2.0 job ${job.id} left by a stopped run is not done after ${Math.round(poll.timeoutMs / 1000)} s; try again later`, { crm: 'salesforce' });
      await client.sleep(poll.intervalMs);
    }
    report.finished.push(job.id);
  }
  if (mine.length > 0) logger.warn({ aborted: report.aborted.length, finished: report.finished.length }, 'settled bulk jobs a stopped run left');
  return report;
}
