import type { Contact, Opportunity, OpportunityStatus } from '../../model/snapshot.ts';
import { buildFamily, type AccountDraft, type OrgShape } from './accounts.ts';
import { emailDomain, makeContact } from './contacts.ts';
import type { Windows } from './dates.ts';
import { makeOpportunity, type DealContext } from './opportunities.ts';
import type { Rng } from './random.ts';

/**
 * The planted cases every sample org contains, by fixed id, so that tests and demos can find
 * them whatever the seed and size:
 *
 * - `ACC-KEY18`: a 12-entity family (four levels deep) buying 18% of the window's revenue,
 *   growing 25% on the prior window; marked key in the CRM. Key on revenue share alone.
 * - `ACC-ONEPCT`: a 3-entity family buying 1% of the window's revenue, flat on the prior window,
 *   squeezing the price to a 10% margin, with only two contacts; marked key in the CRM (drift:
 *   marked but failing the criteria). Important, not key.
 * - `ACC-SHRINK`: an 8-entity key account (12% of the window's revenue, so key on share alone)
 *   whose revenue fell 30% on the prior window: the `declining` risk; marked key.
 * - `ACC-SOLO`: a 3-entity family (3% of revenue), every entity buying, with one active
 *   contact in the whole family (and one inactive): single-threaded.
 * - `ACC-CYC-A` -> `ACC-CYC-C` -> `ACC-CYC-B` -> `ACC-CYC-A`: a parent cycle (2% of revenue);
 *   the analysis breaks it at `ACC-CYC-A`, the smallest id.
 * - `ACC-ORPHAN`: its parent `ACC-GONE` is missing from the data; it has a child
 *   `ACC-ORPHAN-01` (0.5% of revenue).
 *
 * Window shares (PLANTED_TARGETS) are exact to the cent: the planted families are priced after
 * every other deal exists, so that their window revenue is the stated share of the total.
 */
export const PLANTED = {
  key18: 'ACC-KEY18',
  onePercent: 'ACC-ONEPCT',
  shrinking: 'ACC-SHRINK',
  singleThreaded: 'ACC-SOLO',
  cycle: ['ACC-CYC-A', 'ACC-CYC-B', 'ACC-CYC-C'],
  orphan: 'ACC-ORPHAN',
  missingParent: 'ACC-GONE',
} as const;

/**
 * Window revenue shares of the planted families, and growth (window over prior window) where
 * they have prior-window deals. Every planted family is priced, so that a lucky random deal in
 * a small org does not make a planted case say something else than documented.
 */
export const PLANTED_TARGETS: Record<Tuned, { share: number; growth: number | null }> = {
  key18: { share: 0.18, growth: 0.25 },
  onePercent: { share: 0.01, growth: 0 },
  shrinking: { share: 0.12, growth: -0.3 },
  singleThreaded: { share: 0.03, growth: null },
  cycle: { share: 0.02, growth: null },
  orphan: { share: 0.005, growth: null },
};

type Period = 'window' | 'recent' | 'prior' | 'old' | 'open';
interface PlantedDeal {
  entity: number;
  status: OpportunityStatus;
  period: Period;
}
type Tuned = 'key18' | 'onePercent' | 'shrinking' | 'singleThreaded' | 'cycle' | 'orphan';

interface PlantedFamily {
  ids: string[];
  rootName: string;
  parents?: (number | null)[];
  parentIds?: (string | null)[];
  industry: number;
  markedKey: boolean;
  /** Contacts set by hand instead of drawn with the rest of the org. */
  fixedContacts?: boolean;
  /** Employee-size band of the root (3: 5000+). */
  rootBand?: number;
  tuned?: Tuned;
  costRatio?: number;
  deals: PlantedDeal[];
}

const LINES_PER_PLANTED_DEAL = 2;

function childIds(root: string, count: number): string[] {
  const ids = [root];
  for (let i = 1; i < count; i++) ids.push(`${root}-${String(i).padStart(2, '0')}`);
  return ids;
}

function deals(status: OpportunityStatus, period: Period, entities: readonly number[]): PlantedDeal[] {
  return entities.map((entity) => ({ entity, status, period }));
}

function plantedFamilies(industries: number): PlantedFamily[] {
  const ind = (i: number): number => i % industries;
  return [
    {
      ids: childIds(PLANTED.key18, 12),
      rootName: 'Atlas Global Holdings',
      parents: [null, 0, 0, 0, 1, 1, 2, 3, 4, 4, 6, 9],
      industry: ind(0),
      markedKey: true,
      rootBand: 3,
      tuned: 'key18',
      deals: [
        ...deals('won', 'window', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 2]),
        ...deals('won', 'recent', [1, 5]),
        ...deals('won', 'prior', [0, 1, 2, 3, 4, 6, 8, 9]),
        ...deals('open', 'open', [0, 7, 10]),
        ...deals('lost', 'window', [3, 5, 11]),
      ],
    },
    {
      ids: childIds(PLANTED.onePercent, 3),
      rootName: 'Brightwater Foods',
      parents: [null, 0, 0],
      industry: ind(1),
      markedKey: true,
      tuned: 'onePercent',
      fixedContacts: true,
      costRatio: 0.9,
      deals: [
        ...deals('won', 'window', [0, 1, 2]),
        ...deals('won', 'prior', [0, 1, 2]),
        ...deals('lost', 'window', [1]),
      ],
    },
    {
      ids: childIds(PLANTED.shrinking, 8),
      rootName: 'Cobalt Industrial Group',
      parents: [null, 0, 0, 1, 1, 2, 3, 5],
      industry: ind(2),
      markedKey: true,
      rootBand: 3,
      tuned: 'shrinking',
      deals: [
        ...deals('won', 'window', [0, 1, 3, 5]),
        ...deals('won', 'recent', [0, 2]),
        ...deals('won', 'prior', [0, 1, 2, 3, 4, 5, 6, 7]),
        ...deals('lost', 'window', [4, 6, 7]),
        ...deals('open', 'open', [1]),
      ],
    },
    {
      ids: childIds(PLANTED.singleThreaded, 3),
      rootName: 'Delta Ridge Mining',
      parents: [null, 0, 1],
      industry: ind(3),
      markedKey: false,
      fixedContacts: true,
      tuned: 'singleThreaded',
      deals: [...deals('won', 'window', [0, 1, 2]), ...deals('won', 'old', [0])],
    },
    {
      ids: [...PLANTED.cycle],
      rootName: 'Ember Loop Logistics',
      parentIds: ['ACC-CYC-C', 'ACC-CYC-A', 'ACC-CYC-B'],
      industry: ind(4),
      markedKey: false,
      tuned: 'cycle',
      deals: [...deals('won', 'window', [0, 1]), ...deals('lost', 'window', [2])],
    },
    {
      ids: childIds(PLANTED.orphan, 2),
      rootName: 'Fjord Analytics',
      parentIds: [PLANTED.missingParent, PLANTED.orphan],
      industry: ind(5),
      markedKey: false,
      tuned: 'orphan',
      deals: [...deals('won', 'window', [0]), ...deals('open', 'open', [1])],
    },
  ];
}

export function plantedAccountCount(): number {
  return plantedFamilies(1).reduce((n, f) => n + f.ids.length, 0);
}
export function plantedDealCount(): number {
  return plantedFamilies(1).reduce((n, f) => n + f.deals.length, 0);
}
export function plantedLineItemCount(): number {
  return plantedDealCount() * LINES_PER_PLANTED_DEAL;
}
export const PLANTED_CONTACTS = 4;

export interface PlantedOrg {
  drafts: AccountDraft[];
  contacts: Contact[];
  /** Builds the planted deals once the rest of the org's window revenue is known. */
  deals(baseWindowRevenue: number): Opportunity[];
}

/** The day a planted deal closes, inside its period. */
function closeDay(rng: Rng, w: Windows, period: Period): number {
  switch (period) {
    case 'window': return rng.int(w.windowStart, w.asOf - 100);
    case 'recent': return rng.int(w.asOf - 60, w.asOf);
    case 'prior': return rng.int(w.priorStart, w.windowStart - 1);
    case 'old': return rng.int(w.priorStart - 300, w.priorStart - 1);
    case 'open': return rng.int(w.asOf + 10, w.asOf + 200);
  }
}

/** Rescales the deals' line items (and costs) so that their amounts sum to `target`, to the cent. */
function scaleTo(opps: readonly Opportunity[], target: number): void {
  const cents = (n: number): number => Math.round(n * 100);
  if (opps.length === 0) throw new Error('planted family without deals to price');
  const current = opps.reduce((s, o) => s + o.lineItems.reduce((t, l) => t + cents(l.totalPrice), 0), 0);
  const goal = cents(target);
  let assigned = 0;
  const all = opps.flatMap((o) => o.lineItems);
  all.forEach((line, i) => {
    const factor = goal / current;
    const c = i === all.length - 1 ? goal - assigned : Math.round(cents(line.totalPrice) * factor);
    assigned += c;
    if (line.cost !== null) line.cost = Math.round(cents(line.cost) * factor) / 100;
    line.totalPrice = c / 100;
  });
  for (const o of opps) o.amount = o.lineItems.reduce((t, l) => t + cents(l.totalPrice), 0) / 100;
}

export function buildPlanted(rng: Rng, shape: OrgShape, ctx: DealContext, w: Windows, firstFamily: number): PlantedOrg {
  const families = plantedFamilies(shape.industries.length);
  const drafts: AccountDraft[] = [];
  const byFamily: AccountDraft[][] = [];
  families.forEach((f, i) => {
    const members = buildFamily(rng, shape, {
      family: firstFamily + i,
      ids: f.ids,
      rootName: f.rootName,
      ...(f.parents ? { parents: f.parents } : {}),
      ...(f.parentIds ? { parentIds: f.parentIds } : {}),
      industry: f.industry,
      planted: true,
      fixedContacts: f.fixedContacts ?? false,
      ...(f.rootBand === undefined ? {} : { rootBand: f.rootBand }),
      markedKey: f.markedKey,
    });
    byFamily.push(members);
    drafts.push(...members);
  });
  // Fixed contacts: the 1% family has two; the single-threaded one, one active and one gone.
  const one = byFamily[1] ?? [];
  const solo = byFamily[3] ?? [];
  const contact = (id: string, draft: AccountDraft | undefined, active: boolean): Contact => ({
    ...makeContact(rng, id, draft?.account.id ?? null, emailDomain(draft?.account.name ?? 'x')),
    active,
  });
  const contacts = [
    contact('CON-ONEPCT-1', one[0], true),
    contact('CON-ONEPCT-2', one[1], true),
    contact('CON-SOLO-1', solo[0], true),
    contact('CON-SOLO-2', solo[1], false),
  ];
  const dealsFor = (baseWindowRevenue: number): Opportunity[] => {
    const out: Opportunity[] = [];
    const tuned: { target: Tuned; windowWon: Opportunity[]; priorWon: Opportunity[] }[] = [];
    let untunedWindowRevenue = 0;
    families.forEach((f, i) => {
      const members = byFamily[i] ?? [];
      const windowWon: Opportunity[] = [];
      const priorWon: Opportunity[] = [];
      for (const d of f.deals) {
        const draft = members[d.entity];
        if (!draft) throw new Error(`planted deal on missing entity ${d.entity} of ${f.ids[0] ?? ''}`);
        const opp = makeOpportunity(rng, ctx, draft, {
          status: d.status,
          closeDay: closeDay(rng, w, d.period),
          lines: LINES_PER_PLANTED_DEAL,
          ...(f.costRatio === undefined ? {} : { costRatio: f.costRatio }),
        });
        if (d.status === 'won' && (d.period === 'window' || d.period === 'recent')) {
          windowWon.push(opp);
          if (!f.tuned) untunedWindowRevenue += opp.amount ?? 0;
        }
        if (d.status === 'won' && d.period === 'prior') priorWon.push(opp);
        out.push(opp);
      }
      if (f.tuned) tuned.push({ target: f.tuned, windowWon, priorWon });
    });
    // Every other deal is priced by now, so the tuned shares can be exact.
    const tunedShare = Object.values(PLANTED_TARGETS).reduce((s, t) => s + t.share, 0);
    const total = (baseWindowRevenue + untunedWindowRevenue) / (1 - tunedShare);
    for (const t of tuned) {
      const target = PLANTED_TARGETS[t.target];
      const windowRevenue = total * target.share;
      scaleTo(t.windowWon, windowRevenue);
      if (target.growth !== null) scaleTo(t.priorWon, windowRevenue / (1 + target.growth));
    }
    return out;
  };
  return { drafts, contacts, deals: dealsFor };
}
