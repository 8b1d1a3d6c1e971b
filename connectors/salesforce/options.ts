import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { TokenListener } from '../../src/contract/connector.ts';
import { legacyRetryNames, retryOptionsSchema } from '../shared/retry-options.ts';

/** An API name that is safe to put into SOQL as is (standard or custom field). */
const apiName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a Salesforce field API name such as Cost__c');

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

const salesforceOptionsObject = z
  .object({
    /** The org's instance URL, e.g. https://acme.my.salesforce.com (given back by the token call). */
    instanceUrl: httpUrl.optional(),
    accessToken: z.string().min(1).optional(),
    refreshToken: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Login host for authorize and token calls: production, sandbox (test.salesforce.com) or My Domain. */
    loginUrl: httpUrl.default('https://login.salesforce.com'),
    apiVersion: z.string().regex(/^\d{2,3}\.0$/, 'expected an API version such as 62.0').default('62.0'),
    /** Full pulls of a stream with more records than this use Bulk API 2.0 query. */
    bulkReadThreshold: z.number().int().positive().default(10_000),
    /** Write plans with more accounts than this use Bulk API 2.0 ingest. */
    bulkWriteThreshold: z.number().int().positive().default(10_000),
    /** Share of the daily API allowance kept free: the run stops before eating into it. */
    apiReserve: z.number().min(0).max(0.95).default(0.2),
    /** Cost field on OpportunityLineItem (for the margin criterion). */
    costField: apiName.optional(),
    /** Further Account fields read into `account.extra` (optional criteria). */
    extraAccountFields: z.array(apiName).default([]),
    /** Contact field saying the contact gave a referral or testimonial. */
    referenceableField: apiName.optional(),
    /** Contact checkbox saying the contact is still there; without it every contact counts as active. */
    contactActiveField: apiName.optional(),
    /** Account checkbox saying the org already treats the account as key. */
    markedKeyField: apiName.optional(),
    /**
     * The corporate currency to assume when the org does not say (CurrencyType and getUserInfo
     * both unreadable); never overrides what the org says. Without it the fallback is USD.
     */
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected a three-letter ISO 4217 code such as EUR').optional(),
    /** Account page layouts (Metadata API full names) that provisioning puts the KAM fields on; [] places none. */
    pageLayouts: z.array(z.string().min(1).max(255).regex(/^Account-/, 'expected an Account page layout full name such as "Account-Account Layout"')).max(10).default(['Account-Account Layout']),
    /** Product2 field used as the offering. */
    offeringFamilyField: apiName.default('Family'),
    /** REST query batch size (Sforce-Query-Options), 200..2000. */
    pageSize: z.number().int().min(200).max(2000).default(2000),
    /** Records per Bulk API 2.0 result page. */
    bulkPageSize: z.number().int().positive().default(50_000),
    /** Incremental pulls re-read this far behind the saved cursor. */
    lookbackSeconds: z.number().int().nonnegative().default(300),
    /** Call retries, and rounds of re-sending records that failed with a transient error (UNABLE_TO_LOCK_ROW). */
    retry: retryOptionsSchema({ retries: 4, minDelayMs: 500, maxDelayMs: 30_000, recordRetries: 3 }).prefault({}),
    bulkPoll: z
      .object({
        intervalMs: z.number().positive().default(2000),
        timeoutMs: z.number().positive().default(30 * 60_000),
      })
      .default({ intervalMs: 2000, timeoutMs: 30 * 60_000 }),
    onTokens: z.custom<TokenListener>((v) => typeof v === 'function', 'onTokens must be a function').optional(),
    logger: z
      .custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as { warn?: unknown }).warn === 'function', 'logger must be a pino logger')
      .optional(),
  })
  .superRefine((o, ctx) => {
    const canRefresh = o.refreshToken !== undefined && o.clientId !== undefined;
    if (o.accessToken === undefined && !canRefresh) {
      ctx.addIssue({ code: 'custom', message: 'give an accessToken, or a refreshToken with clientId (and clientSecret)', path: ['accessToken'] });
    }
    if (o.accessToken !== undefined && o.instanceUrl === undefined) {
      ctx.addIssue({ code: 'custom', message: 'an accessToken needs the instanceUrl it belongs to', path: ['instanceUrl'] });
    }
    if (o.refreshToken !== undefined && o.clientId === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a refreshToken needs the clientId of the connected app', path: ['clientId'] });
    }
  });

/** The options, with retry settings stored under their older names read into the shared ones. */
export const salesforceOptionsSchema = z.preprocess(legacyRetryNames, salesforceOptionsObject);
export type SalesforceOptionsInput = z.input<typeof salesforceOptionsObject>;
export type SalesforceOptions = z.output<typeof salesforceOptionsObject>;
