import type { User } from '../../src/model/snapshot.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { Cursor, Mapped, MirrorView, ObjectKind, PullAhead, PullPage, RecordIssue, RecordsByKind } from '../../src/contract/connector.ts';
import {
  ASSOCIATION_TYPES, LAST_MODIFIED_PROPERTY, mapCompany, mapContact, mapDeal, mapLineItem, mapOwner, mapProduct,
  parseDateTime, propertiesFor, type HubSpotObject, type HubSpotObjectType, type MappingSettings, type PortalMoney, type QueueIds, type StageStatuses,
} from '../../mappings/hubspot.ts';
import type { HubSpotCaller } from './client.ts';
import type { HubSpotOptions } from './options.ts';
import { listPage, ownersPage, readAccountDetails, readAssociations, searchModifiedSince, searchNewest, type AssociatedRecord, type ObjectPage } from './reads.ts';
import { pullContactRoles } from './contact-roles.ts';
import { readSearchCursor, searchCursor, SearchPosition, type SearchCursor } from './search-cursor.ts';

export interface PullContext {
  caller: HubSpotCaller;
  options: HubSpotOptions;
  settings: MappingSettings;
  /** The deal pipelines' stages; `deals` naming a stage a kept lookup lacks have it read again (lookups.ts). */
  stages: (deals?: readonly HubSpotObject[]) => Promise<StageStatuses>;
  /** Owners that are queues (read with the owners, or on their own when those were not read). */
  queues: () => Promise<QueueIds>;
  /** Called with the owners stream's queues, so later streams need not read owners again. */
  noteQueues: (queues: QueueIds) => void;
  /** The queues the owners stream of this run found (none before it ran). */
  knownQueues: () => QueueIds;
  /**
   * Owners were taken from the users stream's cursor (read less than a day ago): the ids known
   * then, so a record naming another one has them read again at once. Null when read this run.
   */
  cachedOwners: () => ReadonlySet<string> | null;
  noteOwners: (ids: ReadonlySet<string> | null) => void;
  /** A record named an owner the cached list lacks: the queues are read again, and the users stream after the pull. */
  ownersStale: () => void;
  /** The portal's currencies: how amounts convert, and the fingerprint of the rates. */
  money: (records?: { type: HubSpotObjectType; objects: readonly HubSpotObject[] }) => Promise<PortalMoney & { fingerprint: string; multi: boolean }>;
  now: () => number;
  /** Every deal a complete full deals pull just read, for the contact roles; null forgets them. */
  noteDealIds: (ids: readonly string[] | null) => void;
  /** The deal ids noted, once (then forgotten), or null. */
  takeDealIds: () => readonly string[] | null;
  /** What the mirror holds (absent when the pull feeds none): deletions are then inferred from counts. */
  mirror?: MirrorView | undefined;
  /** Full pulls of later streams read ahead (the connector keeps it across its pull calls). */
  readAhead?: FullReadAhead;
}

/** Streams whose amounts convert into the company currency: read again when the rates change. */
const MONEY_STREAMS: ReadonlySet<ObjectKind> = new Set(['opportunities', 'lineItems']);

/** Streams read as HubSpot objects (users are owners; contact roles are deal-contact associations). */
type ObjectStreamKind = Exclude<ObjectKind, 'users' | 'contactRoles'>;

interface StreamSpec<K extends ObjectStreamKind> {
  type: HubSpotObjectType;
  /** Which associated record each object needs, and how to choose among several. */
  association?: { to: HubSpotObjectType; pick: (list: AssociatedRecord[]) => string | null };
  map: (o: HubSpotObject, associatedId: string | null, stages: StageStatuses, queues: QueueIds, money: PortalMoney) => Mapped<RecordsByKind[K]>;
}

const withType = (typeId: number) => (list: AssociatedRecord[]) => list.find((a) => a.typeIds.includes(typeId))?.toId ?? null;
const primaryOrFirst = (typeId: number) => (list: AssociatedRecord[]) => withType(typeId)(list) ?? list[0]?.toId ?? null;

function streamSpec<K extends ObjectStreamKind>(kind: K, s: MappingSettings): StreamSpec<K>;
function streamSpec(kind: ObjectStreamKind, s: MappingSettings): StreamSpec<ObjectStreamKind> {
  switch (kind) {
    case 'products':
      return { type: 'products', map: (o) => mapProduct(o, s) };
    case 'accounts':
      return { type: 'companies', association: { to: 'companies', pick: withType(ASSOCIATION_TYPES.companyToParent) }, map: (o, id, _st, q) => mapCompany(o, id, s, q) };
    case 'contacts':
      return { type: 'contacts', association: { to: 'companies', pick: primaryOrFirst(ASSOCIATION_TYPES.contactToCompanyPrimary) }, map: (o, id) => mapContact(o, id, s) };
    case 'opportunities':
      return { type: 'deals', association: { to: 'companies', pick: primaryOrFirst(ASSOCIATION_TYPES.dealToCompanyPrimary) }, map: (o, id, st, q, m) => mapDeal(o, id, st, q, m) };
    case 'lineItems':
      return { type: 'line_items', association: { to: 'deals', pick: primaryOrFirst(ASSOCIATION_TYPES.lineItemToDeal) }, map: (o, id, _st, _q, m) => mapLineItem(o, id, s, m) };
  }
}

function modifiedAt(o: HubSpotObject, property: string): number | null {
  const r = parseDateTime(o.properties[property]);
  return r.ok && r.value !== null ? Date.parse(r.value) : null;
}

/** Owners are read at most daily; a record naming one not in that list has them read at once. */
export const OWNERS_REFRESH_MS = 24 * 60 * 60 * 1000;

/** `associations`: the page's associations when already asked for (full pulls read them ahead); read here otherwise. */
async function mapObjects<K extends ObjectStreamKind>(
  kind: K, page: ObjectPage, ctx: PullContext, associations?: Promise<Map<string, AssociatedRecord[]>>,
): Promise<{ records: RecordsByKind[K][]; issues: RecordIssue[] }> {
  const spec = streamSpec(kind, ctx.settings);
  const cached = kind === 'accounts' || kind === 'opportunities' ? ctx.cachedOwners() : null;
  if (cached && page.objects.some((o) => { const owner = o.properties['hubspot_owner_id']; return typeof owner === 'string' && owner !== '' && !cached.has(owner); })) ctx.ownersStale();
  // The deal pipelines' stages are read only when there are deals to map.
  const stages = kind === 'opportunities' && page.objects.length > 0 ? await ctx.stages(page.objects) : new Map();
  // A deal a queue owns must not count as a person's (owner-dependence): read the owners if this
  // run has not. A company's owner is only shown, so the queues this run's owners gave will do.
  const queues = kind === 'opportunities' ? await ctx.queues() : kind === 'accounts' ? ctx.knownQueues() : new Set<string>();
  // Only deals and line items carry amounts in a currency of their own.
  const money: PortalMoney = MONEY_STREAMS.has(kind) ? await ctx.money({ type: spec.type, objects: page.objects }) : { company: '', convert: (amount) => ({ value: amount }) };
  const assoc = spec.association
    ? await (associations ?? readAssociations(ctx.caller, spec.type, spec.association.to, page.objects.map((o) => o.id), ctx.options.pageSizes.associations))
    : new Map<string, AssociatedRecord[]>();
  const records: RecordsByKind[K][] = [];
  const issues: RecordIssue[] = page.malformed.map((m) => ({ object: kind, recordId: null, kind: 'malformed', message: `${spec.type} result ${m.index}: ${m.message}` }));
  for (const o of page.objects) {
    const associated = spec.association ? spec.association.pick(assoc.get(o.id) ?? []) : null;
    const mapped = spec.map(o, associated, stages, queues, money);
    if (mapped.record) records.push(mapped.record);
    issues.push(...mapped.issues);
  }
  return { records, issues };
}

function emptyPage<K extends ObjectKind>(object: K, cursor: Cursor): PullPage<K> {
  return { object, records: [], deletedIds: [], issues: [], cursor };
}

/**
 * List pages from `after` until one association batch read covers them (list pages hold at most
 * 100 records but one batch read takes up to 1,000 ids, so associations cost a tenth of the
 * calls). `startedAt` is told the portal's clock at the first answer.
 */
async function listGroup(kind: ObjectStreamKind, after: string | null, ctx: Pick<PullContext, 'caller' | 'options' | 'settings'>, onFirstAnswer: () => void): Promise<ObjectPage> {
  const spec = streamSpec(kind, ctx.settings);
  const properties = propertiesFor(spec.type, ctx.settings);
  const { list, associations } = ctx.options.pageSizes;
  const gathered: ObjectPage = { objects: [], malformed: [], after };
  let next = after;
  do {
    const page = await listPage(ctx.caller, spec.type, { limit: list, after: next, properties, archived: false });
    onFirstAnswer();
    const offset = gathered.objects.length;
    gathered.objects.push(...page.objects);
    gathered.malformed.push(...page.malformed.map((m) => ({ ...m, index: m.index + offset })));
    next = page.after;
  } while (next !== null && spec.association !== undefined && gathered.objects.length + list <= associations);
  gathered.after = next;
  return gathered;
}

/** Groups a full pull reads ahead of the one being mapped and checkpointed. */
export const FULL_PULL_READ_AHEAD = 2;
/** Groups read of a later stream's full pull (told ahead) while the streams before it are pulled. */
export const LATER_STREAM_READ_AHEAD = 6;
/**
 * Below this many calls left of the portal's daily allowance, calls read ahead could be the
 * ones the limit stops, spent on pages no checkpoint keeps: full pulls read one group ahead
 * (as they did before reading ahead) and later streams are not read ahead.
 */
export const READ_AHEAD_DAILY_MARGIN = 2_000;

/** The portal's daily allowance is nearly used up (or its reading not had yet, when `unknownIsLow`). */
function dailyLow(caller: HubSpotCaller, unknownIsLow: boolean): boolean {
  if (caller.dailyRemaining === null) return unknownIsLow && !caller.answered;
  return caller.dailyRemaining < READ_AHEAD_DAILY_MARGIN;
}

/** A group of list pages read ahead, with its association batch read already asked for. */
interface ReadGroup {
  page: ObjectPage;
  associations: Promise<Map<string, AssociatedRecord[]>> | undefined;
}

/**
 * Reads a stream's list pages from `after` to the end, group after group, while the groups
 * before are mapped and checkpointed: at most `ahead` groups wait unconsumed. A group's
 * association batch read is asked for as soon as its list pages are in, so it runs alongside
 * the next group's list pages. The limiter paces all of them; nothing here waits on latency
 * while the budget has room, except the list pages themselves (each needs the `after` before it).
 */
class GroupReader {
  private readonly ready: ({ group: ReadGroup } | { error: unknown })[] = [];
  private wakeConsumer: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;
  private stopped = false;
  /** The portal's clock when the reading began (its last answer before the first page, else the first page's). */
  startedAt: number | null;

  constructor(
    kind: ObjectStreamKind,
    readonly after: string | null,
    private ahead: number,
    ctx: Pick<PullContext, 'caller' | 'options' | 'settings' | 'now'>,
  ) {
    this.startedAt = ctx.caller.serverTime;
    const spec = streamSpec(kind, ctx.settings);
    const noteStart = (): void => {
      this.startedAt ??= ctx.caller.serverTime ?? ctx.now();
    };
    const read = async (from: string | null): Promise<ReadGroup> => {
      const page = await listGroup(kind, from, ctx, noteStart);
      const ids = page.objects.map((o) => o.id);
      const associations = spec.association && ids.length > 0
        ? readAssociations(ctx.caller, spec.type, spec.association.to, ids, ctx.options.pageSizes.associations)
        : undefined;
      // Awaited when the group is mapped; a failure meanwhile must not go unhandled.
      associations?.catch(() => undefined);
      return { page, associations: associations ?? (spec.association ? Promise.resolve(new Map()) : undefined) };
    };
    void this.produce(read, after);
  }

  private async produce(read: (after: string | null) => Promise<ReadGroup>, after: string | null): Promise<void> {
    let next = after;
    try {
      for (;;) {
        while (this.ready.length >= this.ahead && !this.stopped) await new Promise<void>((resolve) => (this.wakeProducer = resolve));
        if (this.stopped) return;
        const group = await read(next);
        if (this.stopped) return;
        this.push({ group });
        if (group.page.after === null) return;
        next = group.page.after;
      }
    } catch (error) {
      this.push({ error });
    }
  }

  private push(item: { group: ReadGroup } | { error: unknown }): void {
    this.ready.push(item);
    const wake = this.wakeConsumer;
    this.wakeConsumer = null;
    wake?.();
  }

  private resume(): void {
    const wake = this.wakeProducer;
    this.wakeProducer = null;
    wake?.();
  }

  /** How many groups may wait unconsumed from now on. */
  setAhead(groups: number): void {
    this.ahead = groups;
    this.resume();
  }

  /** The next group, in order; throws what reading it threw (the groups before it came first). */
  async next(): Promise<ReadGroup> {
    while (this.ready.length === 0) await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    const item = this.ready.shift() as { group: ReadGroup } | { error: unknown };
    this.resume();
    if ('error' in item) throw item.error;
    return item.group;
  }

  /** The consumer is done (or gave up), or the stream will not be pulled: nothing more is asked for. */
  stop(): void {
    this.stopped = true;
    this.resume();
  }
}

/** Streams fullObjects reads; users and contact roles have their own reads. */
const OBJECT_STREAMS: ReadonlySet<ObjectKind> = new Set<ObjectStreamKind>(['products', 'accounts', 'contacts', 'opportunities', 'lineItems']);

/** Where a full pull starts: after the saved list position, or at the beginning. */
function listStart(saved: Cursor | null | undefined): string | null {
  return saved?.['phase'] === 'list' && typeof saved['after'] === 'string' ? saved['after'] : null;
}

/**
 * The full pulls of later streams, read while the streams before them are pulled (the engine
 * names them in PullOptions.readAhead): each reads up to LATER_STREAM_READ_AHEAD groups, raw
 * pages and associations only. Mapping waits for the stream's own pull, when the lookups it
 * needs (owners, queues, stages, currencies) are the ones that pull sees. A reader is handed
 * over only to a full pull of its stream from the same position, and stopped when its stream
 * is no longer coming.
 */
export class FullReadAhead {
  private readonly readers = new Map<ObjectKind, GroupReader>();

  /** `pulling`: the streams this pull call reads now (their readers wait to be claimed unless pulled incrementally). */
  plan(ahead: readonly PullAhead[], pulling: readonly ObjectKind[], mode: 'full' | 'incremental', ctx: Pick<PullContext, 'caller' | 'options' | 'settings' | 'now'>): void {
    const wanted = new Map<ObjectKind, string | null>();
    // Before this connection's first answer the daily reading is not known: the next pull call
    // plans again. A portal that sends none (OAuth apps have no daily limit) is read ahead.
    const low = dailyLow(ctx.caller, true);
    for (const a of ahead) if (OBJECT_STREAMS.has(a.object) && !pulling.includes(a.object)) wanted.set(a.object, listStart(a.cursor));
    for (const [kind, reader] of this.readers) {
      const keep = wanted.has(kind) ? wanted.get(kind) === reader.after : mode === 'full' && pulling.includes(kind);
      if (!keep) {
        reader.stop();
        this.readers.delete(kind);
      }
    }
    if (low) return;
    for (const [kind, after] of wanted) {
      if (!this.readers.has(kind)) this.readers.set(kind, new GroupReader(kind as ObjectStreamKind, after, LATER_STREAM_READ_AHEAD, ctx));
    }
  }

  /** The reader of `kind` started at `after`, handed over once; null when there is none (or it started elsewhere). */
  claim(kind: ObjectKind, after: string | null): GroupReader | null {
    const reader = this.readers.get(kind);
    if (!reader) return null;
    this.readers.delete(kind);
    if (reader.after === after) return reader;
    reader.stop();
    return null;
  }
}

/**
 * Full pull: the list endpoint paged with `after` to the end; resumable from its cursor. List
 * pages are read ahead of the mapping and checkpointing (GroupReader; from an earlier stream's
 * pull when the engine told it ahead), and each group's associations alongside the next group's
 * list pages, so the calls overlap (the limiter still paces them); the cursor of each page is
 * the `after` that follows it, as without the overlap.
 */
async function* fullObjects<K extends ObjectStreamKind>(kind: K, saved: Cursor | undefined, ctx: PullContext): AsyncGenerator<PullPage<K>> {
  const from = listStart(saved);
  const ahead = dailyLow(ctx.caller, false) ? 1 : FULL_PULL_READ_AHEAD;
  const reader = ctx.readAhead?.claim(kind, from) ?? new GroupReader(kind, from, ahead, ctx);
  reader.setAhead(ahead);
  // Anything changed after the full pull began is picked up by the next incremental pull. The
  // start is the portal's clock when the reading began (see GroupReader), or the saved one.
  const savedStart = from !== null && typeof saved?.['startedAt'] === 'number' ? saved['startedAt'] : null;
  try {
    for (;;) {
      const { page: gathered, associations } = await reader.next();
      const after = gathered.after;
      const last = after === null;
      const { records, issues } = await mapObjects(kind, gathered, ctx, associations);
      const rates = MONEY_STREAMS.has(kind) ? (await ctx.money()).fingerprint : undefined;
      const start = savedStart ?? reader.startedAt ?? ctx.now();
      const cursor: Cursor = last
        ? searchCursor({ since: start, sinceIds: [], archivedSince: start, rates })
        : { phase: 'list', after, startedAt: start };
      yield { object: kind, records, deletedIds: [], issues, cursor, ...(last ? { fullPullComplete: true } : {}) };
      if (last) return;
    }
  } finally {
    reader.stop();
  }
}

/** The archived list is read at least this often (the portal's clock), whatever the counts say. */
export const ARCHIVED_REFRESH_MS = 24 * 60 * 60 * 1000;

/** What the probe found. */
interface Probe {
  /** The records modified since the query's point, oldest first; null when the page may not hold them all. */
  modified: HubSpotObject[] | null;
  /** All live records of the stream, as the search counted them; null when the answer had none. */
  total: number | null;
}

/**
 * An incremental run's first search: every live record, newest first, one page. When the page
 * reaches a record older than `querySince` (or is the last page), the records at or after it
 * are all that changed since then; otherwise (more changed than a page holds, or a record the
 * page cannot tell the stamp of) they are left to the filtered search.
 */
async function probeNewest(type: HubSpotObjectType, property: string, properties: string[], querySince: number, ctx: PullContext): Promise<Probe> {
  const page = await searchNewest(ctx.caller, type, { property, properties, limit: ctx.options.pageSizes.probe });
  const total = page.total ?? null;
  if (page.malformed.length > 0) return { modified: null, total };
  const stamped = page.objects.map((o) => ({ o, at: modifiedAt(o, property) }));
  const reachesBack = stamped.some((s) => s.at !== null && s.at < querySince);
  if (!reachesBack && page.after !== null) return { modified: null, total };
  const modified = stamped.filter((s) => s.at !== null && s.at >= querySince).sort((a, b) => (a.at as number) - (b.at as number)).map((s) => s.o);
  return { modified, total };
}

/**
 * Whether the archived list can be left unread: the search counts as many live records as the
 * mirror holds plus the modified records it does not hold (created since), and the list was
 * read less than a day ago on the portal's clock. A count cannot tell a delete from a restore
 * (or a record the mirror lacks for another reason) balancing it: the daily read covers that.
 */
function deletionsRuledOut(total: number | null, mirrored: number | null, unknown: number, archivedSince: number, ctx: PullContext): boolean {
  if (total === null || mirrored === null) return false;
  const now = ctx.caller.serverTime;
  if (now === null || now < archivedSince || now - archivedSince >= ARCHIVED_REFRESH_MS) return false;
  return total === mirrored + unknown;
}

/**
 * Incremental pull. First the probe (probeNewest): in a quiet run, or one whose changes fit in
 * its page, it is the only search. Else a search on the last-modified property, ascending.
 * Search stops at 10,000 results a query, so before `after` would pass the cap the query
 * restarts from the last value seen (ties at that value are remembered by id and skipped).
 * Then archived records as deletes, unless the counts rule deletions out (deletionsRuledOut).
 */
async function* incrementalObjects<K extends ObjectStreamKind>(kind: K, saved: SearchCursor, ctx: PullContext): AsyncGenerator<PullPage<K>> {
  const spec = streamSpec(kind, ctx.settings);
  const property = LAST_MODIFIED_PROPERTY[spec.type];
  const properties = propertiesFor(spec.type, ctx.settings);
  // When this run's first search was answered at the latest, on the portal's clock (never this
  // machine's): what changed before it was visible to the search, so the cursor settles there.
  let anchor = searchAnchor(ctx.caller.serverTime, null);
  const limit = ctx.options.pageSizes.search;
  const pos = new SearchPosition(saved.since, saved.sinceIds);
  let querySince = Math.max(0, saved.since - ctx.options.searchLookbackMs);
  // The mirror's count before this stream's first checkpoint, and the modified ids it lacks.
  const mirrored = ctx.mirror ? await ctx.mirror.count(kind) : null;
  const unknown = new Set<string>();
  const noteUnknown = async (objects: readonly HubSpotObject[]): Promise<void> => {
    if (!ctx.mirror || objects.length === 0) return;
    const held = await ctx.mirror.holds(kind, objects.map((o) => o.id));
    for (const o of objects) if (!held.has(o.id)) unknown.add(o.id);
  };
  // A record the answers could not be read as has no id to tell: the counts then decide nothing.
  let malformed = false;
  let settled: SearchCursor = saved;
  const probe = ctx.options.pageSizes.probe > 0 ? await probeNewest(spec.type, property, properties, querySince, ctx) : null;
  if (probe) anchor ??= searchAnchor(null, ctx.caller.serverTime);
  const total = probe?.total ?? null;
  if (probe?.modified) {
    const group: ObjectPage = { objects: probe.modified.filter((o) => pos.accept(o.id, modifiedAt(o, property) as number)), malformed: [], after: null };
    await noteUnknown(probe.modified);
    const { records, issues } = await mapObjects(kind, group, ctx);
    settled = settle(pos, anchor, saved);
    yield { object: kind, records, deletedIds: [], issues, cursor: searchCursor(settled) };
  } else {
    let after: string | null = null;
    let consumed = 0;
    // Search pages hold at most 200 records but one association batch read takes up to 1,000 ids:
    // pages are gathered until one batch read covers them, and mapped and yielded together.
    const batch = spec.association ? ctx.options.pageSizes.associations : 0;
    let done = false;
    while (!done) {
      const group: ObjectPage = { objects: [], malformed: [], after: null };
      do {
        const page = await searchModifiedSince(ctx.caller, spec.type, { property, since: querySince, properties, limit, after });
        anchor ??= searchAnchor(null, ctx.caller.serverTime);
        malformed ||= page.malformed.length > 0;
        const offsetInGroup = group.objects.length;
        group.objects.push(...page.objects.filter((o) => {
          const at = modifiedAt(o, property);
          return at === null || pos.accept(o.id, at);
        }));
        group.malformed.push(...page.malformed.map((m) => ({ ...m, index: m.index + offsetInGroup })));
        if (page.after === null) {
          done = true;
          break;
        }
        consumed += page.objects.length;
        // `after` is an offset on HubSpot; counting results as well covers an opaque `after`.
        const offset = Math.max(consumed, Number.isFinite(Number(page.after)) ? Number(page.after) : 0);
        if (offset + limit > ctx.options.searchResultCap) {
          if (pos.since === querySince) {
            throw new CrmError('bad-response', `HubSpot search on ${spec.type}: more than ${ctx.options.searchResultCap} records share ${property} ${new Date(pos.since).toISOString()}; run a full pull`, { crm: 'hubspot' });
          }
          querySince = pos.since;
          after = null;
          consumed = 0;
        } else after = page.after;
      } while (group.objects.length + limit <= batch);
      await noteUnknown(group.objects);
      const { records, issues } = await mapObjects(kind, group, ctx);
      settled = done ? settle(pos, anchor, saved) : { since: pos.since, sinceIds: pos.ids, archivedSince: saved.archivedSince, rates: saved.rates };
      yield { object: kind, records, deletedIds: [], issues, cursor: searchCursor(settled) };
    }
  }
  if (!malformed && deletionsRuledOut(total, mirrored, unknown.size, saved.archivedSince, ctx)) return;
  yield* archivedAsDeletes(kind, spec.type, settled, anchor, ctx);
}

/**
 * The portal's clock no later than the moment a search was evaluated: the `Date` of an answer
 * received before it was sent, else its own answer's `Date` less a second (the header is whole
 * seconds). Null when the portal sent no `Date`: then nothing is anchored.
 */
function searchAnchor(before: number | null, answer: number | null): number | null {
  if (before !== null) return before;
  return answer !== null ? answer - 1_000 : null;
}

/**
 * The cursor after a complete search: every record modified before the anchor was visible to
 * it, so when that is later than the newest stamp seen, the cursor settles to the anchor (the
 * next query starts the look-back before it) instead of staying at the newest stamp, and the
 * records read again in the look-back are no longer the ones the last run saw (Kamflow's own
 * writes among them). Newer stamps than the anchor (changes during the run) keep their ties.
 */
function settle(pos: SearchPosition, anchor: number | null, saved: SearchCursor): SearchCursor {
  if (anchor !== null && anchor > pos.since) return { since: anchor, sinceIds: [], archivedSince: saved.archivedSince, rates: saved.rates };
  return { since: pos.since, sinceIds: pos.ids, archivedSince: saved.archivedSince, rates: saved.rates };
}

/** Search never returns archived records, so deletes come from the archived list. */
async function* archivedAsDeletes<K extends ObjectKind>(kind: K, type: HubSpotObjectType, c: SearchCursor, runStartedAt: number | null, ctx: PullContext): AsyncGenerator<PullPage<K>> {
  const threshold = c.archivedSince - ctx.options.searchLookbackMs;
  let after: string | null = null;
  for (;;) {
    const page = await listPage(ctx.caller, type, { limit: ctx.options.pageSizes.list, after, properties: ['hs_object_id'], archived: true });
    after = page.after;
    const deletedIds = page.objects
      .filter((o) => {
        const at = o.archivedAt instanceof Date ? o.archivedAt.getTime() : o.archivedAt ? Date.parse(o.archivedAt) : NaN;
        return Number.isNaN(at) || at >= threshold;
      })
      .map((o) => o.id);
    const last = after === null;
    // Without the portal's clock the archived list is read from the same point again next run.
    const cursor = searchCursor(last && runStartedAt !== null ? { ...c, archivedSince: runStartedAt } : c);
    yield { ...emptyPage(kind, cursor), deletedIds };
    if (last) return;
  }
}

/** The users stream's cursor: when the owners were read (this machine's clock), their ids and which are queues. */
function ownersCursor(readAt: number, ids: Iterable<string>, queues: Iterable<string>): Cursor {
  return { ownersReadAt: readAt, owners: [...ids].join(','), queues: [...queues].join(',') };
}

function idSet(v: unknown): Set<string> {
  return new Set(typeof v === 'string' && v !== '' ? v.split(',') : []);
}

/**
 * Owners are few and rarely change: a full pull reads them all, active then archived (inactive),
 * and so does an incremental one when they were read a day ago or more; otherwise the ids and
 * queues the cursor keeps stand, with no call, until a record names an owner they lack. People
 * become users; queues do not, and the records they own get no owner (nobody's workload).
 */
async function* users(mode: 'full' | 'incremental', saved: Cursor | undefined, ctx: PullContext): AsyncGenerator<PullPage<'users'>> {
  const readAt = saved?.['ownersReadAt'];
  const fresh = mode === 'incremental' && typeof readAt === 'number' && typeof saved?.['owners'] === 'string' && ctx.now() - readAt < OWNERS_REFRESH_MS && ctx.now() >= readAt;
  // The run's first checkpoint needs the portal's daily reading (searches carry none; without one
  // the budget meter holds the run to the org's last reading, which may be yesterday's): one
  // account-details read brings it when no answer of this run has.
  if (fresh && (ctx.caller.dailyRemaining === null || ctx.caller.dailyMax === null)) await dailyReading(ctx);
  if (fresh) {
    ctx.noteQueues(idSet(saved['queues']));
    ctx.noteOwners(idSet(saved['owners']));
    yield { object: 'users', records: [], deletedIds: [], issues: [], cursor: saved };
    return;
  }
  const queues = new Set<string>();
  const ids = new Set<string>();
  const startedAt = ctx.now();
  ctx.noteOwners(null);
  for (const archived of [false, true]) {
    let after: string | null = null;
    do {
      const page = await ownersPage(ctx.caller, after, ctx.options.pageSizes.owners, archived);
      after = page.after;
      const last = archived && after === null;
      const records: User[] = [];
      for (const o of page.results) {
        ids.add(o.id);
        const user = mapOwner(o);
        if (user) records.push(user);
        else queues.add(o.id);
      }
      if (last) ctx.noteQueues(queues);
      yield { object: 'users', records, deletedIds: [], issues: [], cursor: last ? ownersCursor(startedAt, ids, queues) : {}, ...(last ? { fullPullComplete: true } : {}) };
    } while (after !== null);
  }
}

/** One cheap call whose answer carries the daily-limit headers; a failure other than a limit, an outage or refused credentials is no reason to stop. */
async function dailyReading(ctx: PullContext): Promise<void> {
  try {
    await readAccountDetails(ctx.caller);
  } catch (e) {
    if (e instanceof CrmError && (e.kind === 'api-limit' || e.kind === 'auth' || e.kind === 'unavailable')) throw e;
  }
}

/** Ids of every owner that is a queue, active or archived. */
export async function readQueueIds(ctx: Pick<PullContext, 'caller' | 'options'>): Promise<Set<string>> {
  const queues = new Set<string>();
  for (const archived of [false, true]) {
    let after: string | null = null;
    do {
      const page = await ownersPage(ctx.caller, after, ctx.options.pageSizes.owners, archived);
      after = page.after;
      for (const o of page.results) if (o.type === 'QUEUE') queues.add(o.id);
    } while (after !== null);
  }
  return queues;
}

/**
 * A money stream whose records were converted with other rates than the portal's now (or, in a
 * multi-currency portal, with unknown ones) is searched again from the start of time; archived
 * records since the last run still come as deletes.
 */
async function ratesNow(kind: ObjectKind, search: SearchCursor, ctx: PullContext): Promise<string | null> {
  if (!MONEY_STREAMS.has(kind)) return null;
  const money = await ctx.money();
  const changed = search.rates === undefined ? money.multi : search.rates !== money.fingerprint;
  return changed ? money.fingerprint : null;
}

export async function* pullStream(kind: ObjectKind, mode: 'full' | 'incremental', saved: Cursor | undefined, ctx: PullContext): AsyncGenerator<PullPage> {
  if (kind === 'users') {
    yield* users(mode, saved, ctx);
    return;
  }
  if (kind === 'contactRoles') {
    yield* pullContactRoles(ctx, mode, saved, ctx.takeDealIds());
    return;
  }
  const search = mode === 'incremental' ? readSearchCursor(saved) : null;
  if (kind === 'opportunities') ctx.noteDealIds(null);
  if (!search) {
    if (kind !== 'opportunities') {
      yield* fullObjects(kind, saved, ctx);
      return;
    }
    // The deals a full pull read from its start are every deal: the contact roles need no list of their own.
    const fromStart = saved?.['phase'] !== 'list';
    const ids: string[] = [];
    for await (const page of fullObjects(kind, saved, ctx)) {
      ids.push(...page.records.map((r) => r.id));
      if (page.fullPullComplete && fromStart) ctx.noteDealIds(ids);
      yield page;
    }
    return;
  }
  const newRates = await ratesNow(kind, search, ctx);
  yield* incrementalObjects(kind, newRates === null ? search : { ...search, since: 0, sinceIds: [], rates: newRates }, ctx);
}
