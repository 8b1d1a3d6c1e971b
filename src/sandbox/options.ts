import { z } from 'zod';
import type { Snapshot } from '../model/snapshot.ts';
import { faultsOptionSchema } from './faults.ts';
import { salesforceAccessSchema } from './salesforce/access.ts';

const limitsSchema = z
  .object({
    tenSecondly: z.number().int().positive().default(190),
    enforceTenSecondly: z.boolean().default(false),
    searchPerSecond: z.number().int().positive().nullable().default(5),
  })
  .strict();

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected a three-letter ISO 4217 code');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * A multi-currency org and portal. Rates are given as units of the corporate (company) currency
 * for one unit of each other currency, as HubSpot keeps them; the Salesforce org holds their
 * inverse (CurrencyType.ConversionRate). Rates the seed's conversion notes use come next, then
 * the defaults (EUR 2, GBP 4, JPY 0.00625: exact in both directions).
 */
const multiCurrencySchema = z
  .object({
    rates: z.record(currencyCode, z.number().positive()).optional(),
    /** Salesforce advanced currency management: DatedConversionRate rows, each from its start day on. */
    datedRates: z.array(z.object({ code: currencyCode, rate: z.number().positive(), start: day }).strict()).optional(),
  })
  .strict();

export const sandboxOptionsSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    faults: faultsOptionSchema.optional(),
    /** Added to every API call of both CRMs (ms). */
    latencyMs: z.number().min(0).default(0),
    /** Daily API allowance: one number for both CRMs, or per CRM. */
    dailyLimit: z
      .union([z.number().int().positive(), z.object({ salesforce: z.number().int().positive().optional(), hubspot: z.number().int().positive().optional() }).strict()])
      .optional(),
    /**
     * A multi-currency Salesforce org (CurrencyType, CurrencyIsoCode, DatedConversionRate with
     * `datedRates`) and HubSpot portal (exchange rates, deal and line-item currencies). Seed
     * records with a conversion note are booked in that currency.
     */
    multiCurrency: z.union([z.boolean(), multiCurrencySchema]).default(false),
    /** Start of a manual clock (ISO or epoch ms); without it stamps follow the wall clock. */
    clockStart: z.union([z.string(), z.number()]).optional(),
    /**
     * Standard objects and fields the Salesforce integration user's profile keeps from it
     * (salesforce/access.ts): queries of them answer INVALID_TYPE / INVALID_FIELD as the org does.
     */
    salesforceAccess: salesforceAccessSchema.optional(),
    /** Kamflow's fields already exist (and the seed's `fields` values are loaded). */
    provisioned: z.boolean().default(false),
    hubspotLimits: limitsSchema.default({ tenSecondly: 190, enforceTenSecondly: false, searchPerSecond: 5 }),
    /**
     * HubSpot's search is eventually consistent: a record archived less than this long ago (ms,
     * on the sandbox clock) is still found by search and counted in its `total`. 0: at once.
     */
    hubspotSearchLagMs: z.number().int().min(0).default(0),
    /** Rows per Bulk API 2.0 query result page when the client sends no maxRecords. */
    bulkQueryPageSize: z.number().int().positive().default(10_000),
    /** Seed of the PRNG behind tokens and faults. */
    prngSeed: z.number().int().default(1),
  })
  .strict();

export type SandboxOptions = z.input<typeof sandboxOptionsSchema> & { seed?: Snapshot };
export type ParsedSandboxOptions = z.output<typeof sandboxOptionsSchema>;

export const DEFAULT_DAILY_LIMIT = { salesforce: 100_000, hubspot: 500_000 } as const;

export function parseSandboxOptions(options: SandboxOptions): { parsed: ParsedSandboxOptions; seed: Snapshot | undefined } {
  const { seed, ...rest } = options;
  const result = sandboxOptionsSchema.safeParse(rest);
  if (!result.success) {
    throw new Error(`invalid sandbox options: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { parsed: result.data, seed };
}

export function clockStartMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`invalid sandbox options: clockStart: not a date: ${String(value)}`);
  return ms;
}
