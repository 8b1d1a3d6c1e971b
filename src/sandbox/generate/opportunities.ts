import type { LineItem, Opportunity, OpportunityStatus } from '../../model/snapshot.ts';
import type { AccountDraft } from './accounts.ts';
import { UNKNOWN } from './accounts.ts';
import type { Catalogue } from './catalogue.ts';
import type { DayFormatter } from './dates.ts';
import { WeightedIndex, type Rng } from './random.ts';

const BAND_DEAL_WEIGHT = [1, 1.6, 2.5, 4];
/** Bigger customers buy more seats and units per line: deal size follows company size. */
const BAND_QUANTITY = [0.5, 0.8, 1, 1.4];
const QUANTITIES = new WeightedIndex([30, 20, 12, 8, 6, 5, 4, 3, 2, 2, 1, 1]);
const DEAL_KINDS = ['new business', 'expansion', 'renewal', 'upgrade', 'pilot'] as const;

export const round2 = (n: number): number => Math.round(n * 100) / 100;

export interface DealContext {
  catalogue: Catalogue;
  userIds: readonly string[];
  days: DayFormatter;
  nextOpportunity: () => string;
  nextLineItem: () => string;
}

export interface DealSpec {
  status: OpportunityStatus;
  closeDay: number;
  lines: number;
  /** Overrides the products' usual cost ratio (a customer squeezing the price). */
  costRatio?: number;
  /** Drop the amount so readers fall back to the line items' sum. */
  withoutAmount?: boolean;
}

function pickOffering(rng: Rng, draft: AccountDraft, offeringCount: number): number {
  if (draft.adopted.length > 0 && rng.chance(0.85)) return rng.pick(draft.adopted);
  return rng.int(0, offeringCount - 1);
}

function pickProduct(rng: Rng, catalogue: Catalogue, offering: number, status: OpportunityStatus): number {
  const candidates = catalogue.byOffering[offering] ?? [];
  const active = status === 'open' ? (catalogue.activeByOffering[offering] ?? []) : candidates;
  return rng.pick(active.length > 0 ? active : candidates);
}

export function makeOpportunity(rng: Rng, ctx: DealContext, draft: AccountDraft, spec: DealSpec): Opportunity {
  const lineItems: LineItem[] = new Array<LineItem>(spec.lines);
  let sum = 0;
  let firstOffering = '';
  for (let l = 0; l < spec.lines; l++) {
    const offering = pickOffering(rng, draft, ctx.catalogue.offerings.length);
    if (l === 0) firstOffering = ctx.catalogue.offerings[offering] ?? '';
    const entry = ctx.catalogue.products[pickProduct(rng, ctx.catalogue, offering, spec.status)];
    if (!entry) throw new Error('catalogue product index out of range');
    const quantity = Math.max(1, Math.round((QUANTITIES.draw(rng) + 1) * (BAND_QUANTITY[draft.band] ?? 0.6)));
    const totalPrice = round2(entry.listPrice * quantity * (1 - rng.float(0, 0.25)));
    const ratio = spec.costRatio ?? entry.costRatio;
    const cost = rng.chance(0.1) ? null : round2(totalPrice * ratio * rng.float(0.9, 1.1));
    sum += totalPrice;
    lineItems[l] = { id: ctx.nextLineItem(), productId: entry.product.id, quantity, totalPrice, cost };
  }
  const account = draft.account;
  return {
    id: ctx.nextOpportunity(),
    accountId: account.id,
    name: `${account.name} - ${firstOffering} ${rng.pick(DEAL_KINDS)}`,
    status: spec.status,
    amount: spec.withoutAmount ? null : round2(sum),
    closeDate: ctx.days.format(spec.closeDay),
    ownerId: account.ownerId !== null && rng.chance(0.85) ? account.ownerId : rng.pick(ctx.userIds),
    lineItems,
  };
}

export interface RandomDealsInput {
  drafts: readonly AccountDraft[];
  count: number;
  lineItems: number;
  /** First and last close day of closed deals (three years up to asOf). */
  firstDay: number;
  asOf: number;
}

/**
 * `count` deals with exactly `lineItems` line items in all, spread over the non-planted
 * accounts by size: about half won, a third lost, the rest open.
 */
export function buildRandomDeals(rng: Rng, ctx: DealContext, input: RandomDealsInput): Opportunity[] {
  return Array.from(randomDealStream(rng, ctx, input));
}

/** The deals of {@link buildRandomDeals} one at a time, for orgs too large to hold. */
export function* randomDealStream(rng: Rng, ctx: DealContext, input: RandomDealsInput): Generator<Opportunity> {
  const pool = input.drafts.filter((d) => !d.planted);
  if (input.count === 0 || pool.length === 0) return;
  const lines = new Uint16Array(input.count).fill(1);
  for (let extra = input.lineItems - input.count; extra > 0; extra--) {
    const i = rng.int(0, input.count - 1);
    lines[i] = (lines[i] ?? 0) + 1;
  }
  const index = new WeightedIndex(pool.map((d) => (d.band === UNKNOWN ? 1 : (BAND_DEAL_WEIGHT[d.band] ?? 1))));
  for (let i = 0; i < input.count; i++) {
    const draft = pool[index.draw(rng)];
    if (!draft) throw new Error('deal pool index out of range');
    const r = rng.next();
    const status: OpportunityStatus = r < 0.52 ? 'won' : r < 0.82 ? 'lost' : 'open';
    const closeDay = status === 'open'
      ? rng.int(input.asOf - 45, input.asOf + 270)
      : rng.int(input.firstDay, input.asOf);
    yield makeOpportunity(rng, ctx, draft, {
      status,
      closeDay,
      lines: lines[i] ?? 1,
      withoutAmount: status === 'won' && rng.chance(0.04),
    });
  }
}
