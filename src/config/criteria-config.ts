import { z } from 'zod';

/**
 * The key-account criteria of DOMAIN.md section 3: six computed ones, on by default, and four
 * read from a CRM account field (`account.extra[field]` of the family's root), off by default.
 * The criteria object is strict so that a misspelt criterion id is an error, not a silent no-op.
 */

/** What happens when a criterion has no data: left out and the rest re-weighted, or counted as failed. */
export const missingDataPolicy = z.enum(['exclude', 'fail']);
export type MissingDataPolicy = z.infer<typeof missingDataPolicy>;

const numericDirection = z.enum(['atLeast', 'atMost'], {
  message: 'direction must be "atLeast" or "atMost"',
});
const weight = z
  .number({ message: 'weight must be a number' })
  .finite()
  .nonnegative({ message: 'weight must not be negative' });

interface CriterionDefaults {
  threshold: number;
  weight: number;
  sufficient?: boolean;
}

function numericCriterion(threshold: z.ZodNumber, defaults: CriterionDefaults & { enabled?: boolean }) {
  return z
    .strictObject({
      enabled: z.boolean().default(defaults.enabled ?? true),
      threshold: threshold.default(defaults.threshold),
      direction: numericDirection.default('atLeast'),
      weight: weight.default(defaults.weight),
      sufficient: z.boolean().default(defaults.sufficient ?? false),
      knockout: z.boolean().default(false),
      missingData: missingDataPolicy.default('exclude'),
    })
    .prefault({});
}

const fraction = z.number({ message: 'threshold must be a number' }).finite();

export const abcClassSchema = z.enum(['A', 'B', 'C'], { message: 'threshold must be "A", "B" or "C"' });

const abcCriterion = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Passes for this class or better with `atLeast` (A is best). */
    threshold: abcClassSchema.default('A'),
    direction: z
      .enum(['atLeast', 'atMost', 'equals'], { message: 'direction must be "atLeast", "atMost" or "equals"' })
      .default('atLeast'),
    weight: weight.default(15),
    sufficient: z.boolean().default(false),
    knockout: z.boolean().default(false),
    missingData: missingDataPolicy.default('exclude'),
  })
  .prefault({});

const passValue = z.union([z.string(), z.number(), z.boolean()]);

/** How a field value passes: a numeric threshold, or membership in a list of values. */
export const passRuleSchema = z.union(
  [
    z.strictObject({ threshold: z.number().finite(), direction: numericDirection.default('atLeast') }),
    z.strictObject({ values: z.array(passValue).min(1) }),
  ],
  { message: 'pass must be {"threshold": number, "direction": "atLeast"|"atMost"} or {"values": [...]} (at least one value)' },
);
export type PassRule = z.infer<typeof passRuleSchema>;

interface FieldDefaults {
  field: string;
  pass: PassRule;
  weight: number;
  knockout?: boolean;
}

function fieldCriterion(defaults: FieldDefaults) {
  return z
    .strictObject({
      enabled: z.boolean().default(false),
      /** The CRM account field, read from `account.extra[field]` of the family's root account. */
      field: z.string().min(1, 'field must be a non-empty CRM field name').default(defaults.field),
      pass: passRuleSchema.default(defaults.pass),
      weight: weight.default(defaults.weight),
      sufficient: z.boolean().default(false),
      knockout: z.boolean().default(defaults.knockout ?? false),
      missingData: missingDataPolicy.default('exclude'),
    })
    .prefault({});
}

export const COMPUTED_CRITERIA = ['revenueShare', 'abcClass', 'growth', 'margin', 'potential', 'relationships'] as const;
/** Computed from the contact roles on opportunities (snapshot version 2); off by default. */
export const ROLE_CRITERIA = ['decisionMakers'] as const;
export const FIELD_CRITERIA = ['paymentTimeliness', 'creditworthiness', 'accessToGoals', 'openness'] as const;
export type ComputedCriterionId = (typeof COMPUTED_CRITERIA)[number];
export type RoleCriterionId = (typeof ROLE_CRITERIA)[number];
export type FieldCriterionId = (typeof FIELD_CRITERIA)[number];
export type CriterionId = ComputedCriterionId | RoleCriterionId | FieldCriterionId;
/** Every criterion in the order reasons list them. */
export const CRITERION_IDS: readonly CriterionId[] = [...COMPUTED_CRITERIA, ...ROLE_CRITERIA, ...FIELD_CRITERIA];

export const criteriaSchema = z
  .strictObject({
    revenueShare: numericCriterion(fraction.min(0, 'threshold must be within 0..1').max(1, 'threshold must be within 0..1'), {
      threshold: 0.1,
      weight: 30,
      sufficient: true,
    }),
    abcClass: abcCriterion,
    growth: numericCriterion(fraction.min(-1, 'threshold must be at least -1'), { threshold: 0.1, weight: 15 }),
    margin: numericCriterion(fraction.min(-1, 'threshold must be within -1..1').max(1, 'threshold must be within -1..1'), {
      threshold: 0,
      weight: 10,
    }),
    potential: numericCriterion(fraction.min(0, 'threshold must not be negative'), { threshold: 0.5, weight: 15 }),
    relationships: numericCriterion(
      z.number({ message: 'threshold must be a number' }).int('threshold must be a whole number of contacts').min(0, 'threshold must not be negative'),
      { threshold: 3, weight: 15 },
    ),
    /** Share of the family's buying entities with a known decision maker (off by default). */
    decisionMakers: numericCriterion(fraction.min(0, 'threshold must be within 0..1').max(1, 'threshold must be within 0..1'), {
      threshold: 1,
      weight: 10,
      enabled: false,
    }),
    paymentTimeliness: fieldCriterion({ field: 'payment_timeliness', pass: { values: ['on time'] }, weight: 10 }),
    creditworthiness: fieldCriterion({ field: 'creditworthiness', pass: { values: ['good'] }, weight: 10, knockout: true }),
    accessToGoals: fieldCriterion({ field: 'access_to_goals', pass: { values: [true, 'yes'] }, weight: 5 }),
    openness: fieldCriterion({ field: 'openness', pass: { threshold: 3, direction: 'atLeast' }, weight: 5 }),
  })
  .prefault({});

export type CriteriaConfig = z.output<typeof criteriaSchema>;
export type ComputedCriterionConfig = CriteriaConfig[Exclude<ComputedCriterionId, 'abcClass'> | RoleCriterionId];
export type AbcCriterionConfig = CriteriaConfig['abcClass'];
export type FieldCriterionConfig = CriteriaConfig[FieldCriterionId];
