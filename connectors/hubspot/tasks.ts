import { z } from 'zod';
import { CrmError, OutcomeUnknownError } from '../../src/contract/errors.ts';
import type { CrmTaskInput, CrmTaskOutcome, CrmTaskRemoval, CrmTaskState, TaskProfile } from '../../src/contract/tasks.ts';
import type { HubSpotCaller } from './client.ts';
import { classifyWriteError } from './push.ts';

/**
 * Tasks for account owners as HubSpot tasks (Activities | Tasks guide), through the CRM objects
 * API: batch create (`POST /crm/v3/objects/tasks/batch/create`, 100 inputs a call) with
 * `hs_timestamp` (the due date; required), `hs_task_subject`, `hs_task_body`, `hs_task_status`
 * NOT_STARTED, `hs_task_priority`, `hs_task_type` TODO and `hubspot_owner_id` the company's owner,
 * each associated to the company with the HUBSPOT_DEFINED task-to-company type 192; read back by
 * batch read, removed by batch archive. Batch results come in no promised order, so each is
 * matched to its input through Kamflow's dedupe key, which ends the body ("Kamflow reference:
 * ..."); reading a task back leaves that line out.
 */

export const TASK_BATCH_MAX = 100;
/** Associations guide, default types: task to company. */
export const TASK_TO_COMPANY = 192;
export const HUBSPOT_TASK_PROFILE: TaskProfile = {
  createBatchMax: TASK_BATCH_MAX, createCallName: 'tasksCreate',
  removeBatchMax: TASK_BATCH_MAX, readCallName: 'tasksRead', removeCallName: 'tasksArchive',
};
const REFERENCE_PREFIX = 'Kamflow reference: ';
const TASK_PROPERTIES = ['hs_task_subject', 'hs_task_body', 'hs_task_status', 'hubspot_owner_id', 'hs_timestamp'];

/** The body as sent: the text, then the dedupe key on its own line. */
export function bodyWithReference(body: string, key: string): string {
  return `${body}\n\n${REFERENCE_PREFIX}${key}`;
}

/** The dedupe key at the end of a body, and the body without it. */
export function splitReference(body: string | null | undefined): { body: string | null; key: string | null } {
  if (body === null || body === undefined) return { body: null, key: null };
  const at = body.lastIndexOf(REFERENCE_PREFIX);
  if (at < 0) return { body, key: null };
  const key = body.slice(at + REFERENCE_PREFIX.length).replace(/<[^>]*>/g, '').trim();
  return { body: body.slice(0, at).replace(/(?:\s|<br\s*\/?>|<p>|<\/p>)+$/i, ''), key: key === '' ? null : key };
}

const resultSchema = z.object({
  results: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String), properties: z.record(z.string(), z.string().nullable()).default({}) })).default([]),
  errors: z.array(z.object({ category: z.string().nullish(), message: z.string().nullish() }).loose()).default([]),
});

export async function createHubSpotTasks(caller: HubSpotCaller, tasks: readonly CrmTaskInput[]): Promise<CrmTaskOutcome[]> {
  if (tasks.length === 0) return [];
  if (tasks.length > TASK_BATCH_MAX) throw new CrmError('config', `at most ${TASK_BATCH_MAX} tasks a call, got ${tasks.length}`, { crm: 'hubspot' });
  const inputs = tasks.map((t) => ({
    properties: {
      hs_timestamp: `${t.dueDate}T12:00:00.000Z`,
      hs_task_subject: t.subject,
      hs_task_body: bodyWithReference(t.body, t.key),
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: t.priority === 'high' ? 'HIGH' : 'MEDIUM',
      hs_task_type: 'TODO',
      hubspot_owner_id: t.ownerId,
    },
    associations: [{ to: { id: t.accountId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: TASK_TO_COMPANY }] }],
  }));
  let data: unknown;
  try {
    const res = await caller.call('tasksCreate', `batch create of ${tasks.length} tasks`, (c) => c.crm.objects.batchApi.createWithHttpInfo('tasks', { inputs }), { applies: true });
    data = res.data;
  } catch (e) {
    if (e instanceof OutcomeUnknownError) return tasks.map((t) => ({ key: t.key, ok: false, errorKind: 'unknown', message: e.message }));
    if (e instanceof CrmError && e.kind === 'bad-response') {
      const code = e.details.code ?? 'ERROR';
      return tasks.map((t) => ({ key: t.key, ok: false, errorKind: classifyWriteError([code, ...(e.details.reasons ?? [])], e.details.status), code, message: e.message }));
    }
    throw e;
  }
  const parsed = resultSchema.safeParse(data);
  if (!parsed.success) return tasks.map((t) => ({ key: t.key, ok: false, errorKind: 'unknown', message: 'HubSpot answered the batch create in an unexpected shape' }));
  const byKey = new Map<string, string>();
  for (const r of parsed.data.results) {
    const { key } = splitReference(r.properties['hs_task_body']);
    if (key) byKey.set(key, r.id);
  }
  const firstError = parsed.data.errors[0];
  return tasks.map((t) => {
    const id = byKey.get(t.key);
    if (id) return { key: t.key, ok: true, taskId: id };
    if (firstError) return { key: t.key, ok: false, errorKind: classifyWriteError([firstError.category]), code: firstError.category ?? 'ERROR', message: firstError.message ?? 'refused' };
    // Created or not, HubSpot did not say which: never sent again.
    return { key: t.key, ok: false, errorKind: 'unknown', message: 'HubSpot returned no result carrying this task' };
  });
}

export async function readHubSpotTasks(caller: HubSpotCaller, ids: readonly string[]): Promise<CrmTaskState[]> {
  if (ids.length === 0) return [];
  const res = await caller.call('tasksRead', `batch read of ${ids.length} tasks`, (c) =>
    c.crm.objects.batchApi.readWithHttpInfo('tasks', { inputs: ids.map((id) => ({ id })), properties: TASK_PROPERTIES, propertiesWithHistory: [] }, false));
  const parsed = resultSchema.parse(res.data);
  const found = new Map(parsed.results.map((r) => [r.id, r.properties]));
  return ids.map((id) => {
    const p = found.get(id);
    if (!p) return { taskId: id, exists: false, subject: null, body: null, ownerId: null, dueDate: null, completed: false };
    const stamp = p['hs_timestamp'];
    const ms = stamp ? (/^\d+$/.test(stamp) ? Number(stamp) : Date.parse(stamp)) : NaN;
    return {
      taskId: id, exists: true, subject: p['hs_task_subject'] ?? null, body: splitReference(p['hs_task_body']).body, ownerId: p['hubspot_owner_id'] ?? null,
      dueDate: Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10), completed: p['hs_task_status'] === 'COMPLETED',
    };
  });
}

export async function archiveHubSpotTasks(caller: HubSpotCaller, ids: readonly string[]): Promise<CrmTaskRemoval[]> {
  if (ids.length === 0) return [];
  if (ids.length > TASK_BATCH_MAX) throw new CrmError('config', `at most ${TASK_BATCH_MAX} ids a call, got ${ids.length}`, { crm: 'hubspot' });
  await caller.call('tasksArchive', `batch archive of ${ids.length} tasks`, (c) => c.crm.objects.batchApi.archiveWithHttpInfo('tasks', { inputs: ids.map((id) => ({ id })) }), { applies: true });
  // 204: the batch was archived as a whole.
  return ids.map((id) => ({ taskId: id, ok: true }));
}
