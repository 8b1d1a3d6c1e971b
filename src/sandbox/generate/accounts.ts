import type { Account } from '../../model/snapshot.ts';
import type { Rng } from './random.ts';
import { COMPANY_STEMS, COMPANY_SUFFIXES, COUNTRIES, DIVISIONS, REGIONS } from './names.ts';

/** Employee-size bands of DOMAIN.md (peer groups): <200, 200-999, 1000-4999, 5000+. */
const BAND_RANGES: readonly (readonly [number, number])[] = [
  [5, 199],
  [200, 999],
  [1000, 4999],
  [5000, 150_000],
];
export const UNKNOWN = -1;

/** An account plus what the generator needs to give it contacts and deals. */
export interface AccountDraft {
  account: Account;
  family: number;
  /** Index into the org's industries, or UNKNOWN. */
  industry: number;
  /** Employee-size band 0..3, or UNKNOWN. */
  band: number;
  /** Offerings this entity habitually buys. */
  adopted: number[];
  /** Set for planted accounts, whose deals are fixed by hand. */
  planted: boolean;
  /** Set for planted accounts whose contacts are fixed by hand too. */
  fixedContacts: boolean;
}

export interface OrgShape {
  industries: readonly string[];
  /** Per industry, how likely each offering is to be bought: peers then look alike. */
  affinity: number[][];
  offeringCount: number;
  userIds: readonly string[];
}

export function buildAffinity(rng: Rng, industries: number, offerings: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < industries; i++) {
    // A few core offerings per industry carry most of its buying, so peers look alike enough
    // for adoption rates worth suggesting; the long tail keeps every offering in use somewhere.
    const weights = new Array<number>(offerings).fill(0.15);
    const core = Math.min(offerings, rng.int(2, 4));
    for (let c = 0; c < core; c++) weights[rng.int(0, offerings - 1)] = 20;
    out.push(weights);
  }
  return out;
}

/**
 * Family sizes 1..200, most customers single entities, a few large groups. `max` caps them so
 * that a small org is not one random group with a handful of others.
 */
export function drawFamilySize(rng: Rng, max = 200): number {
  const r = rng.next();
  let size: number;
  if (r < 0.55) size = 1;
  else if (r < 0.8) size = rng.int(2, 5);
  else if (r < 0.93) size = rng.int(6, 20);
  else if (r < 0.98) size = rng.int(21, 80);
  else size = rng.int(81, 200);
  return Math.min(size, Math.max(1, max));
}

export function employeesInBand(rng: Rng, band: number): number {
  const range = BAND_RANGES[band] ?? BAND_RANGES[0] ?? [5, 199];
  return Math.round(rng.logUniform(range[0], range[1] + 1));
}

export function drawAdopted(rng: Rng, weights: readonly number[], count: number): number[] {
  const w = [...weights];
  const out: number[] = [];
  for (let k = 0; k < count && k < w.length; k++) {
    const i = rng.weighted(w);
    out.push(i);
    w[i] = 0;
  }
  return out.sort((a, b) => a - b);
}

export function familyName(index: number): string {
  const stem = COMPANY_STEMS[index % COMPANY_STEMS.length] ?? 'Company';
  const suffix = COMPANY_SUFFIXES[Math.floor(index / COMPANY_STEMS.length) % COMPANY_SUFFIXES.length] ?? '';
  const round = Math.floor(index / (COMPANY_STEMS.length * COMPANY_SUFFIXES.length));
  return round === 0 ? `${stem} ${suffix}` : `${stem} ${suffix} ${round + 1}`;
}

/** Distinct division names within a family of up to DIVISIONS x REGIONS entities. */
export function entityName(familyBase: string, offset: number, i: number): string {
  const k = offset + i;
  const division = DIVISIONS[k % DIVISIONS.length] ?? '';
  const region = REGIONS[Math.floor(k / DIVISIONS.length) % REGIONS.length] ?? '';
  const lap = Math.floor(k / (DIVISIONS.length * REGIONS.length));
  return `${familyBase} ${division} ${region}${lap > 0 ? ` ${lap + 1}` : ''}`;
}

export interface FamilySpec {
  family: number;
  ids: string[];
  rootName: string;
  /** Parent index per entity (entity 0 is the root); omitted: a random earlier entity. */
  parents?: (number | null)[];
  /** Parent ids that bypass the index scheme (missing parents, cycles). */
  parentIds?: (string | null)[];
  industry?: number;
  planted?: boolean;
  fixedContacts?: boolean;
  /** Employee-size band of the root, e.g. 3 (5000+) for a planted enterprise group. */
  rootBand?: number;
  markedKey?: boolean;
}

/**
 * One customer family: the root is the group holding, each further entity hangs below a random
 * earlier one, which gives trees several levels deep. Most entities share the group's industry.
 */
export function buildFamily(rng: Rng, shape: OrgShape, spec: FamilySpec): AccountDraft[] {
  const size = spec.ids.length;
  const familyIndustry = spec.industry ?? (rng.chance(0.03) ? UNKNOWN : rng.int(0, shape.industries.length - 1));
  const owner = rng.pick(shape.userIds);
  const country = rng.pick(COUNTRIES);
  const base = spec.rootName.split(' ')[0] ?? spec.rootName;
  const nameOffset = rng.int(0, 50);
  const drafts: AccountDraft[] = [];
  for (let i = 0; i < size; i++) {
    const id = spec.ids[i] ?? '';
    let parentId: string | null;
    if (spec.parentIds) parentId = spec.parentIds[i] ?? null;
    else if (i === 0) parentId = null;
    else {
      const p = spec.parents?.[i] ?? rng.int(0, i - 1);
      parentId = spec.ids[p] ?? null;
    }
    const industry = i > 0 && familyIndustry !== UNKNOWN && rng.chance(0.15)
      ? rng.int(0, shape.industries.length - 1)
      : familyIndustry;
    let band: number;
    if (i === 0 && spec.rootBand !== undefined) band = spec.rootBand;
    else if (rng.chance(0.03)) band = UNKNOWN;
    else if (i === 0 && size > 20) band = 3;
    else if (size === 1) band = rng.weighted([0.45, 0.3, 0.17, 0.08]);
    else band = rng.weighted([0.25, 0.35, 0.28, 0.12]);
    const employees = band === UNKNOWN ? null : employeesInBand(rng, band);
    const weights = industry === UNKNOWN ? new Array<number>(shape.offeringCount).fill(1) : (shape.affinity[industry] ?? []);
    const account: Account = {
      id,
      name: i === 0 ? spec.rootName : entityName(base, nameOffset, i - 1),
      parentId,
      industry: industry === UNKNOWN ? null : (shape.industries[industry] ?? null),
      employees,
      annualRevenue: employees === null || rng.chance(0.1) ? null : Math.round(employees * rng.float(90_000, 320_000)),
      country: i === 0 || rng.chance(0.6) ? country : rng.pick(COUNTRIES),
      ownerId: rng.chance(0.02) ? null : rng.chance(0.9) ? owner : rng.pick(shape.userIds),
      markedKey: spec.markedKey ?? false,
      fields: {},
      extra: {},
    };
    drafts.push({
      account,
      family: spec.family,
      industry,
      band,
      adopted: drawAdopted(rng, weights, rng.int(1, 3)),
      planted: spec.planted ?? false,
      fixedContacts: spec.fixedContacts ?? false,
    });
  }
  return drafts;
}
