import { z } from 'zod';
import { CrmError, OutcomeUnknownError } from '../../src/contract/errors.ts';
import type { CrmTaskInput, CrmTaskOutcome, CrmTaskRemoval, CrmTaskState, TaskProfile } from '../../src/contract/tasks.ts';
import { SalesforceHttpError, type SalesforceClient } from './client.ts';
import { queryAllPages, soqlString } from './query.ts';
import { classifyWriteError } from './write-errors.ts';

/**
 * Tasks for account owners as Salesforce `Task` records (Object Reference, Task): `WhatId` the
 * family's ultimate parent account, `OwnerId` its owner, `Subject` (255 characters at most),
 * `Description`, `ActivityDate` (the due date), `Status` and `Priority` from the org's default
 * picklists. Created through sObject Collections (POST /composite/sobjects, 200 records a call,
 * allOrNone false), read back by SOQL, deleted through sObject Collections (DELETE
 * /composite/sobjects?ids=, 200 ids a call). Task has no field of its own for Kamflow's dedupe
 * key, so the key goes on the last line of the description ("Kamflow reference: ..."), where a
 * person can search for it; reading a task back leaves that line out.
 */

export const TASK_COLLECTION_MAX = 200;
export const SALESFORCE_TASK_PROFILE: TaskProfile = {
  createBatchMax: TASK_COLLECTION_MAX, createCallName: 'tasksCreate',
  removeBatchMax: TASK_COLLECTION_MAX, readCallName: 'query', removeCallName: 'tasksDelete',
};
const SUBJECT_MAX = 255;
export const REFERENCE_PREFIX = 'Kamflow reference: ';

const saveResults = z.array(z.object({
  id: z.string().nullable().optional(),
  success: z.boolean(),
  errors: z.array(z.object({ statusCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() })).default([]),
}));

export function withReference(body: string, key: string): string {
  return `${body}\n\n${REFERENCE_PREFIX}${key}`;
}

export function withoutReference(body: string | null): string | null {
  if (body === null) return null;
  const at = body.lastIndexOf(`\n\n${REFERENCE_PREFIX}`);
  return at >= 0 ? body.slice(0, at) : body;
}

function subjectOf(subject: string): string {
  return subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 1)}…`;
}

export async function createSalesforceTasks(client: SalesforceClient, tasks: readonly CrmTaskInput[]): Promise<CrmTaskOutcome[]> {
  if (tasks.length > TASK_COLLECTION_MAX) throw new CrmError('config', `at most ${TASK_COLLECTION_MAX} tasks a call, got ${tasks.length}`, { crm: 'salesforce' });
  const body = JSON.stringify({
    allOrNone: false,
    records: tasks.map((t) => ({
      attributes: { type: 'Task' },
      WhatId: t.accountId,
      OwnerId: t.ownerId,
      Subject: subjectOf(t.subject),
      Description: withReference(t.body, t.key),
      ActivityDate: t.dueDate,
      Status: 'Not Started',
      Priority: t.priority === 'high' ? 'High' : 'Normal',
    })),
  });
  try {
    const res = await client.json('tasksCreate', {
      method: 'POST', path: `${client.versionPath}/composite/sobjects`, headers: { 'Content-Type': 'application/json' }, body, applies: true,
    }, saveResults);
    if (res.length !== tasks.length) throw new CrmError('bad-response', `sObject Collections gave ${res.length} results for ${tasks.length} tasks`, { crm: 'salesforce' });
    return tasks.map((t, i) => {
      const r = res[i];
      if (r?.success && r.id) return { key: t.key, ok: true, taskId: r.id };
      const err = r?.errors[0];
      const code = err?.statusCode ?? 'UNKNOWN';
      return { key: t.key, ok: false, errorKind: classifyWriteError(code), code, message: err?.message ?? 'failed' };
    });
  } catch (e) {
    if (e instanceof OutcomeUnknownError) return tasks.map((t) => ({ key: t.key, ok: false, errorKind: 'unknown', message: e.message }));
    if (e instanceof SalesforceHttpError) return tasks.map((t) => ({ key: t.key, ok: false, errorKind: classifyWriteError(e.errorCode, e.status), code: e.errorCode, message: e.message }));
    throw e;
  }
}

const taskRow = z.object({
  Id: z.string(), Subject: z.string().nullable(), Description: z.string().nullable(), OwnerId: z.string().nullable(),
  ActivityDate: z.string().nullable(), IsClosed: z.boolean(),
}).loose();

export async function readSalesforceTasks(client: SalesforceClient, ids: readonly string[]): Promise<CrmTaskState[]> {
  if (ids.length === 0) return [];
  const rows = z.array(taskRow).parse(await queryAllPages(client,
    `SELECT Id, Subject, Description, OwnerId, ActivityDate, IsClosed FROM Task WHERE Id IN (${ids.map(soqlString).join(', ')})`));
  const found = new Map(rows.map((r) => [r.Id, r]));
  return ids.map((id) => {
    const r = found.get(id);
    if (!r) return { taskId: id, exists: false, subject: null, body: null, ownerId: null, dueDate: null, completed: false };
    return { taskId: id, exists: true, subject: r.Subject, body: withoutReference(r.Description), ownerId: r.OwnerId, dueDate: r.ActivityDate, completed: r.IsClosed };
  });
}

const deleteResults = z.array(z.object({
  id: z.string().nullable().optional(),
  success: z.boolean(),
  errors: z.array(z.object({ statusCode: z.string(), message: z.string() }).loose()).default([]),
}));

export async function deleteSalesforceTasks(client: SalesforceClient, ids: readonly string[]): Promise<CrmTaskRemoval[]> {
  if (ids.length === 0) return [];
  if (ids.length > TASK_COLLECTION_MAX) throw new CrmError('config', `at most ${TASK_COLLECTION_MAX} ids a call, got ${ids.length}`, { crm: 'salesforce' });
  const res = await client.json('tasksDelete', {
    method: 'DELETE', path: `${client.versionPath}/composite/sobjects?ids=${ids.map(encodeURIComponent).join(',')}&allOrNone=false`, applies: true,
  }, deleteResults);
  // Results come back in request order.
  return ids.map((id, i) => {
    const r = res[i];
    if (r?.success) return { taskId: id, ok: true };
    const err = r?.errors[0];
    return { taskId: id, ok: false, message: err ? `${err.statusCode}: ${err.message}` : 'no result for this id' };
  });
}
