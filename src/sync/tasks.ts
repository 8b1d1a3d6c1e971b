import { createHash } from 'node:crypto';
import type { KnownTaskStatus, PlannedTask, TaskKind, TaskProfile } from '../contract/tasks.ts';
import type { ConnectionSyncOptions } from '../contract/sync-options.ts';
import type { AnalysisResult, FamilyInsight, RiskId } from '../model/insights.ts';
import type { Account } from '../model/snapshot.ts';
import type { WritePlan } from './planner.ts';

/**
 * Tasks for account owners, planned from a run's analysis and its write plan (pure). A change is
 * what the plan writes on the family's ultimate parent: `kam_tier` into or out of Key, a risk
 * line in `kam_risks` that was not there. The first analysis of a family (no tier in the CRM
 * yet) sets its baseline and makes no task. Each task has a dedupe key built from the change and
 * the parent's `kam_updated_at` before it, so the same change keeps its key until the write goes
 * through (a rerun, a failed write, a lost answer), and a later change of the same kind gets a
 * new one.
 */

export const DEFAULT_TASK_CHANGES = 'key';
export const DEFAULT_REMINDERS = 'off';
export const DEFAULT_REMINDER_OFFERS = 3;
export const DEFAULT_TASK_DUE_DAYS = 7;

/** The risks a task is made for (concentration and relationship-owner are the portfolio's, not the rep's, to act on). */
export const TASK_RISKS: readonly RiskId[] = ['single-threaded', 'declining', 'stalled', 'owner-dependence'];

export type { KnownTaskStatus, PlannedTask } from '../contract/tasks.ts';

/** A task Kamflow would have made but did not, and why (shown with the plan). */
export interface SkippedTask {
  key: string;
  kind: TaskKind;
  familyId: string;
  reason: 'already-created' | 'in-flight' | 'no-owner';
  message: string;
}

export interface TaskPlan {
  tasks: PlannedTask[];
  skipped: SkippedTask[];
}

export interface TaskSettings {
  changes: 'key' | 'all' | 'off';
  reminders: 'off' | 'monthly' | 'quarterly';
  reminderOffers: number;
  dueDays: number;
}

export function taskSettings(options: ConnectionSyncOptions): TaskSettings {
  return {
    changes: options.tasks ?? DEFAULT_TASK_CHANGES,
    reminders: options.reminders ?? DEFAULT_REMINDERS,
    reminderOffers: options.reminderOffers ?? DEFAULT_REMINDER_OFFERS,
    dueDays: options.taskDueDays ?? DEFAULT_TASK_DUE_DAYS,
  };
}

/** The dedupe key: short, opaque, the same for the same change of the same family on the same connection. */
export function taskKey(connectionId: string, parts: readonly string[]): string {
  const digest = createHash('sha256').update([connectionId, ...parts].join('\u0000')).digest('hex').slice(0, 20);
  return `kamflow-${digest}`;
}

/** The risk ids of a `kam_risks` text: one line per risk, each starting with its id and a colon. */
export function riskIdsOf(text: unknown): Set<string> {
  const ids = new Set<string>();
  if (typeof text !== 'string') return ids;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) ids.add(line.slice(0, colon).trim());
  }
  return ids;
}

function riskLine(text: unknown, risk: string): string | null {
  if (typeof text !== 'string') return null;
  return text.split('\n').find((l) => l.startsWith(`${risk}:`)) ?? null;
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const WHAT_TO_DO: Record<string, string> = {
  'single-threaded': 'Find a second contact: ask your contact who else decides or uses what we supply, and add them to the record.',
  declining: 'Call the customer to learn why they buy less, and agree on a plan to win the volume back.',
  stalled: 'Look at the open and lapsed business and get a next step agreed: nothing has been won here for months.',
  'owner-dependence': 'Bring a second person from our side into the relationship, so it does not hang on one owner.',
};

const RISK_NAMES: Record<string, string> = {
  'single-threaded': 'relies on too few contacts',
  declining: 'is buying less',
  stalled: 'has stalled',
  'owner-dependence': 'depends on one owner on our side',
};

interface FamilyContext {
  family: FamilyInsight;
  root: Pick<Account, 'id' | 'name' | 'ownerId' | 'fields'>;
  accounts: number;
}

function changeTasks(ctx: FamilyContext, plan: WritePlan, settings: TaskSettings, connectionId: string, asOf: string): PlannedTask[] {
  if (settings.changes === 'off') return [];
  const write = plan.writes.find((w) => w.accountId === ctx.root.id);
  if (!write) return [];
  const before = ctx.root.fields;
  const priorTier = before['kam_tier'];
  // The first analysis of a family is its baseline, not a change.
  if (priorTier === null || priorTier === undefined || priorTier === '') return [];
  const stamp = typeof before['kam_updated_at'] === 'string' ? before['kam_updated_at'] : 'never';
  const name = ctx.root.name;
  const due = addDays(asOf, settings.dueDays);
  const base = { familyId: ctx.family.id, accountId: ctx.root.id, ownerId: ctx.root.ownerId ?? '', dueDate: due };
  const why = typeof write.fields.kam_why === 'string' ? write.fields.kam_why : (typeof before['kam_why'] === 'string' ? before['kam_why'] : '');
  const out: PlannedTask[] = [];
  const tierChange = write.changes.find((c) => c.field === 'kam_tier');
  if (tierChange) {
    const to = String(tierChange.to ?? '');
    const from = String(priorTier);
    if (to === 'Key' && from !== 'Key') {
      out.push({
        ...base, kind: 'became-key', detail: null, priority: 'high',
        key: taskKey(connectionId, ['became-key', ctx.family.id, stamp]),
        subject: `${name} is now a key account`,
        body: [
          `What changed: Kamflow now ranks ${name} (${ctx.accounts} account${ctx.accounts === 1 ? '' : 's'} in the family) as Key; it was ${from}.${why ? ` ${why}` : ''}`,
          'What to do: review the account plan for the whole family, check that you know at least three people there, and book a meeting with the decision makers this month. The Kamflow card on the account shows the reasons and the next best offers.',
        ].join('\n\n'),
      });
    } else if (from === 'Key' && to !== 'Key') {
      out.push({
        ...base, kind: 'left-key', detail: to, priority: 'high',
        key: taskKey(connectionId, ['left-key', ctx.family.id, stamp]),
        subject: `${name} is no longer a key account`,
        body: [
          `What changed: ${name} dropped from Key to ${to} in Kamflow's ranking.${why ? ` ${why}` : ''}`,
          'What to do: check the reasons on the account to see which criterion it now misses, and talk to the customer before the gap grows. If the account should stay Key, ask your manager for a tier override.',
        ].join('\n\n'),
      });
    }
  }
  if (settings.changes !== 'all') return out;
  const risksChange = write.changes.find((c) => c.field === 'kam_risks');
  if (!risksChange) return out;
  const had = riskIdsOf(before['kam_risks']);
  const now = riskIdsOf(risksChange.to);
  for (const risk of TASK_RISKS) {
    if (!now.has(risk) || had.has(risk)) continue;
    const line = riskLine(risksChange.to, risk);
    const detail = line ? line.slice(risk.length + 1).trim() : '';
    out.push({
      ...base, kind: 'risk', detail: risk, priority: 'normal',
      key: taskKey(connectionId, ['risk', ctx.family.id, risk, stamp]),
      subject: `${name} ${RISK_NAMES[risk] ?? risk}`,
      body: [
        `What changed: Kamflow sees a new risk on ${name}${detail ? `: ${detail}` : ''}.`,
        `What to do: ${WHAT_TO_DO[risk] ?? 'Look at the risk on the Kamflow card and agree on a next step.'}`,
      ].join('\n\n'),
    });
  }
  return out;
}

/** The reminder period a day falls in: `2026-12` monthly; the fiscal quarter's first day when the analysis has one, else the calendar quarter's. */
export function reminderPeriod(cadence: 'monthly' | 'quarterly', asOf: string, quarterStart: string | null): string {
  if (cadence === 'monthly') return asOf.slice(0, 7);
  if (quarterStart) return `Q${quarterStart}`;
  const month = Number(asOf.slice(5, 7));
  return `${asOf.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`;
}

function money(value: number, currency: string): string {
  const rounded = Math.round(value);
  return `${currency} ${rounded.toLocaleString('en-US')}`;
}

function reminderTask(ctx: FamilyContext, names: ReadonlyMap<string, string>, settings: TaskSettings, connectionId: string, asOf: string, period: string, currency: string): PlannedTask | null {
  if (ctx.family.tier !== 'Key') return null;
  const byEntity = new Map<string, ReturnType<FamilyInsight['matrix']['suggestionList']>>();
  for (const s of ctx.family.matrix.suggestionList()) {
    const list = byEntity.get(s.entity) ?? [];
    list.push(s);
    byEntity.set(s.entity, list);
  }
  if (byEntity.size === 0) return null;
  const lines: string[] = [];
  for (const entity of [...byEntity.keys()].sort()) {
    const offers = (byEntity.get(entity) ?? []).sort((a, b) => b.estimatedValue - a.estimatedValue || (a.offering < b.offering ? -1 : 1)).slice(0, settings.reminderOffers);
    lines.push(`${names.get(entity) ?? entity}:`);
    for (const o of offers) {
      const who = o.rule === 'sister' ? 'sister companies in the same family' : 'similar customers';
      lines.push(`- ${o.offering}: ${o.adopters} of ${o.peers} ${who} buy it (about ${money(o.estimatedValue, currency)} a year)`);
    }
  }
  const name = ctx.root.name;
  return {
    kind: 'reminder', detail: period, familyId: ctx.family.id, accountId: ctx.root.id, ownerId: ctx.root.ownerId ?? '',
    dueDate: addDays(asOf, settings.dueDays), priority: 'normal',
    key: taskKey(connectionId, ['reminder', ctx.family.id, period]),
    subject: `${name}: remind the customer what else we supply`,
    body: [
      `Customers forget what else we can supply. These are the offers ${name}'s companies do not buy yet, which others like them do:`,
      lines.join('\n'),
      'What to do: bring the top one or two up in your next conversation with each company.',
    ].join('\n\n'),
  };
}

export interface TaskPlanInput {
  connectionId: string;
  settings: TaskSettings;
  analysis: Pick<AnalysisResult, 'families' | 'currency' | 'asOf' | 'horizon'>;
  accounts: readonly Pick<Account, 'id' | 'name' | 'ownerId' | 'fields'>[];
  plan: WritePlan;
  asOf: string;
}

/** Every task the run's changes and the reminder cadence call for, before the store's dedupe. */
export function proposeTasks(input: TaskPlanInput): PlannedTask[] {
  const byId = new Map(input.accounts.map((a) => [a.id, a]));
  const names = new Map(input.accounts.map((a) => [a.id, a.name]));
  const cadence = input.settings.reminders;
  const period = cadence === 'off' ? null : reminderPeriod(cadence, input.asOf, input.analysis.horizon?.quarterStart ?? null);
  const out: PlannedTask[] = [];
  for (const family of input.analysis.families) {
    const root = byId.get(family.id);
    if (!root) continue;
    const ctx: FamilyContext = { family, root, accounts: family.entityIds.length };
    out.push(...changeTasks(ctx, input.plan, input.settings, input.connectionId, input.asOf));
    if (period !== null) {
      const reminder = reminderTask(ctx, names, input.settings, input.connectionId, input.asOf, period, input.analysis.currency);
      if (reminder) out.push(reminder);
    }
  }
  return out;
}

/**
 * The tasks still to create: a key the store has created (or sent without an answer) is
 * skipped and shown as such; a key whose create the CRM refused is tried again; a task with no
 * owner on the account is skipped (a task without an owner would land on Kamflow's own user).
 */
export function dedupeTasks(proposed: readonly PlannedTask[], known: ReadonlyMap<string, KnownTaskStatus>): TaskPlan {
  const tasks: PlannedTask[] = [];
  const skipped: SkippedTask[] = [];
  const seen = new Set<string>();
  for (const t of proposed) {
    if (seen.has(t.key)) continue;
    seen.add(t.key);
    const status = known.get(t.key);
    if (status === 'created' || status === 'removed' || status === 'kept') {
      skipped.push({ key: t.key, kind: t.kind, familyId: t.familyId, reason: 'already-created', message: `${t.subject}: made by an earlier run, not made twice` });
      continue;
    }
    if (status === 'sending' || status === 'unknown') {
      skipped.push({ key: t.key, kind: t.kind, familyId: t.familyId, reason: 'in-flight', message: `${t.subject}: sent by an earlier run whose answer was lost; not sent again` });
      continue;
    }
    if (t.ownerId === '') {
      skipped.push({ key: t.key, kind: t.kind, familyId: t.familyId, reason: 'no-owner', message: `${t.subject}: account ${t.accountId} has no owner to give the task to` });
      continue;
    }
    tasks.push(t);
  }
  return { tasks, skipped };
}

/** The calls creating a plan's tasks take, by the source's call names (for the dry run's estimate). */
export function estimateTaskCalls(count: number, profile: TaskProfile | null): Record<string, number> {
  if (!profile || count === 0) return {};
  return { [profile.createCallName]: Math.ceil(count / profile.createBatchMax) };
}
