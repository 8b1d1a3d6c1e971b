import { z } from 'zod';
import { CRITERION_IDS, criteriaSchema } from './criteria-config.ts';

export * from './criteria-config.ts';

/**
 * The analysis configuration: every default of DOMAIN.md sections 3 and 4, each one
 * overridable. Objects are strict: an unknown key is an error naming its path, because a
 * misspelt setting that silently falls back to its default is worse than a refusal.
 */

const fraction01 = (what: string) =>
  z.number({ message: `${what} must be a number` }).finite().min(0, `${what} must be within 0..1`).max(1, `${what} must be within 0..1`);
const wholeAtLeast = (what: string, min: number) =>
  z.number({ message: `${what} must be a number` }).int(`${what} must be a whole number`).min(min, `${what} must be at least ${min}`);

const peersSchema = z
  .strictObject({
    minPeers: wholeAtLeast('minPeers', 1).default(5),
    minAdoption: fraction01('minAdoption').default(0.4),
    /** Lower bounds of the employee-size bands after the first: <200, 200-999, 1000-4999, 5000+. */
    sizeBands: z
      .array(wholeAtLeast('size band bound', 1))
      .min(1, 'sizeBands needs at least one bound')
      .refine((a) => a.every((v, i) => i === 0 || v > (a[i - 1] ?? 0)), 'sizeBands must be strictly increasing')
      .default([200, 1000, 5000]),
    nextBestOffers: wholeAtLeast('nextBestOffers', 1).default(3),
  })
  .prefault({});

/**
 * Sister suggestions (definitions version 2): inside a family, an offering most sister entities
 * already buy is suggested to the ones that do not. Needs at least `minAdopters` sisters buying
 * it and a share of at least `minAdoption` of the sisters.
 */
const sistersSchema = z
  .strictObject({
    enabled: z.boolean({ message: 'suggestions.sisters.enabled must be true or false' }).default(true),
    minAdopters: wholeAtLeast('suggestions.sisters.minAdopters', 1).default(2),
    minAdoption: fraction01('suggestions.sisters.minAdoption').default(0.3),
  })
  .prefault({});

const roleList = (what: string) =>
  z.array(z.string({ message: `${what} must be role names` }).trim().min(1, `${what} must not hold an empty role`))
    .min(1, `${what} needs at least one role`);

/**
 * How the roles contacts play on opportunities (Salesforce OpportunityContactRole.Role, HubSpot
 * deal-to-contact association labels) are read: which role names mark a decision maker and which
 * an influencer, compared without regard to case.
 */
const relationshipsSchema = z
  .strictObject({
    decisionRoles: roleList('relationships.decisionRoles')
      .default(['Decision Maker', 'Economic Buyer', 'Economic Decision Maker', 'Executive Sponsor', 'Budget Holder']),
    influencerRoles: roleList('relationships.influencerRoles')
      .default(['Influencer', 'Evaluator', 'Technical Buyer', 'Business User', 'Champion']),
    /** A family with at least this many known relationships, all on one owner's deals, is at risk. */
    ownerRiskMinContacts: wholeAtLeast('relationships.ownerRiskMinContacts', 1).default(2),
  })
  .prefault({});

const horizonSchema = z
  .strictObject({
    /** The month (1-12) the fiscal year starts in; null takes the CRM's (the snapshot's), else January. */
    fiscalYearStartMonth: z.number({ message: 'horizon.fiscalYearStartMonth must be a number' })
      .int('horizon.fiscalYearStartMonth must be a whole month number')
      .min(1, 'horizon.fiscalYearStartMonth must be within 1..12').max(12, 'horizon.fiscalYearStartMonth must be within 1..12')
      .nullable().default(null),
    topItems: wholeAtLeast('horizon.topItems', 1).default(5),
  })
  .prefault({});

const suggestionsSchema = z.strictObject({ sisters: sistersSchema }).prefault({});

const qualityWeight = (what: string, value: number) =>
  z.number({ message: `quality.weights.${what} must be a number` }).finite()
    .min(0, `quality.weights.${what} must be within 0..1`).max(1, `quality.weights.${what} must be within 0..1`).default(value);

/**
 * Flags that know their data: each family's confidence is 1 minus the weighted share of its
 * inputs with a data issue (never below 0); under `minConfidence` the family is not tiered.
 */
const qualitySchema = z
  .strictObject({
    minConfidence: fraction01('quality.minConfidence').default(0.6),
    weights: z
      .strictObject({
        /** Entities without an industry or a size band: no peers to compare with. */
        noPeers: qualityWeight('noPeers', 0.25),
        /** Line items naming a product the snapshot does not have. */
        unknownProducts: qualityWeight('unknownProducts', 0.25),
        /** Opportunities with an amount in a currency without a rate. */
        unconvertedAmounts: qualityWeight('unconvertedAmounts', 0.5),
        /** Contacts without an account whose email domain is one of the family's. */
        contactsWithoutAccount: qualityWeight('contactsWithoutAccount', 0.25),
        /** Entities whose name or domain matches an account of another family. */
        suspectedDuplicates: qualityWeight('suspectedDuplicates', 0.5),
      })
      .prefault({}),
  })
  .prefault({});

const coverageSchema = z
  .strictObject({
    min: wholeAtLeast('coverage.min', 1).default(3),
    max: wholeAtLeast('coverage.max', 1).default(5),
  })
  .refine((c) => c.min <= c.max, { message: 'must not exceed coverage.max', path: ['min'] })
  .prefault({});

const abcSchema = z
  .strictObject({
    /** A while the cumulative share before the family is below this. */
    a: fraction01('abc.a').default(0.8),
    /** B while below this, else C. */
    b: fraction01('abc.b').default(0.95),
  })
  .refine((c) => c.a <= c.b, { message: 'must not exceed abc.b', path: ['a'] })
  .prefault({});

const tiersSchema = z
  .strictObject({
    key: z.number({ message: 'tiers.key must be a number' }).min(0, 'tiers.key must be within 0..100').max(100, 'tiers.key must be within 0..100').default(70),
    develop: z.number({ message: 'tiers.develop must be a number' }).min(0, 'tiers.develop must be within 0..100').max(100, 'tiers.develop must be within 0..100').default(40),
  })
  .refine((t) => t.develop <= t.key, { message: 'must not exceed tiers.key', path: ['develop'] })
  .prefault({});

const riskSchema = z
  .strictObject({
    decliningGrowth: z.number({ message: 'decliningGrowth must be a number' }).finite().max(0, 'decliningGrowth must be 0 or negative').default(-0.2),
    concentrationShare: fraction01('concentrationShare').default(0.2),
    stalledMonths: wholeAtLeast('stalledMonths', 1).default(6),
    ownerDependenceMinOpportunities: wholeAtLeast('ownerDependenceMinOpportunities', 1).default(3),
    singleThreadedMaxContacts: wholeAtLeast('singleThreadedMaxContacts', 0).default(1),
  })
  .prefault({});

export const analysisConfigSchema = z
  .strictObject({
    /** Becomes `configVersion` of the output, so a change of settings is visible in results. */
    version: wholeAtLeast('version', 1).default(1),
    /** `family`: Product2.Family (or the configured HubSpot property), else the product name. */
    offeringLevel: z.enum(['family', 'product'], { message: 'offeringLevel must be "family" or "product"' }).default('family'),
    peers: peersSchema,
    suggestions: suggestionsSchema,
    coverage: coverageSchema,
    relationships: relationshipsSchema,
    horizon: horizonSchema,
    quality: qualitySchema,
    criteria: criteriaSchema,
    abc: abcSchema,
    tiers: tiersSchema,
    risk: riskSchema,
    /**
     * Which CRM marking makes a family "marked key" for drift: `any` account of the family
     * marked, or only its `root` account.
     */
    driftMarking: z.enum(['any', 'root'], { message: 'driftMarking must be "any" or "root"' }).default('any'),
  })
  .superRefine((cfg, ctx) => {
    const enabled = CRITERION_IDS.filter((id) => cfg.criteria[id].enabled);
    if (enabled.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['criteria'], message: 'at least one criterion must be enabled' });
    } else if (enabled.every((id) => cfg.criteria[id].weight === 0)) {
      ctx.addIssue({ code: 'custom', path: ['criteria'], message: 'the weights of the enabled criteria are all zero' });
    }
  });

export type AnalysisConfig = z.output<typeof analysisConfigSchema>;

/** Raised for an invalid configuration; the message names every bad path and its problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid analysis config: ${problems.join('; ')}`);
  }
}

function describeIssues(error: z.ZodError): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const what = path === 'criteria' ? 'unknown criterion' : 'unknown key';
      for (const key of issue.keys) out.push(`${path ? `${path}.` : ''}${key}: ${what}`);
    } else {
      out.push(path ? `${path}: ${issue.message}` : issue.message);
    }
  }
  return out;
}

/** Validates a configuration object (already read from JSON) and fills in every default. */
export function parseAnalysisConfig(input: unknown): AnalysisConfig {
  const result = analysisConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(describeIssues(result.error));
  return result.data;
}

export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = parseAnalysisConfig({});

/** Parses the text of a JSON config file; `source` (e.g. the file path) is named in errors. */
export function parseAnalysisConfigText(text: string, source: string): AnalysisConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${source}: not valid JSON (${e instanceof Error ? e.message : String(e)})`]);
  }
  try {
    return parseAnalysisConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => `${source}: ${p}`));
    throw e;
  }
}
