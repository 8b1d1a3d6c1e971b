import { z } from 'zod';
import type { WindowLimiter } from './limiter.ts';
import type { Logger } from '../../src/log.ts';
import { legacyRetryNames, retryOptionsSchema } from '../shared/retry-options.ts';
import type { TokenListener } from '../../src/contract/connector.ts';

/** Credentials: a private-app token, or the tokens of an OAuth install with the app's client. */
export const hubSpotAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('private-app'), token: z.string().min(1, 'private-app token must not be empty') }),
  z.object({
    kind: z.literal('oauth'),
    /** Empty when only a refresh token was given: expiresAt 0 makes the first call refresh. */
    accessToken: z.string(),
    refreshToken: z.string().min(1, 'OAuth refresh token must not be empty'),
    /** Epoch milliseconds when the access token expires. */
    expiresAt: z.number().int().nonnegative(),
    clientId: z.string().min(1, 'OAuth client id must not be empty'),
    clientSecret: z.string().min(1, 'OAuth client secret must not be empty'),
    redirectUri: z.string().url().optional(),
  }),
]);
export type HubSpotAuth = z.infer<typeof hubSpotAuthSchema>;

const propertyName = z.string().regex(/^[a-z0-9_]+$/i, 'HubSpot property names are letters, digits and _');

const hubSpotOptionsObject = z.object({
  baseUrl: z.string().url().default('https://api.hubapi.com').transform((u) => u.replace(/\/+$/, '')),
  auth: hubSpotAuthSchema,
  /**
   * The company currency to assume when the portal does not say (currencies API and account
   * details both unreadable); never overrides what the portal says. Without it: USD.
   */
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code like USD').optional(),
  limits: z
    .object({
      /** Requests allowed in any rolling ten seconds (HubSpot's TEN_SECONDLY_ROLLING). */
      tenSecondBudget: z.number().int().positive().default(100),
      /** Search requests per second (search has its own limit). */
      searchPerSecond: z.number().int().positive().default(4),
    })
    .prefault({}),
  retry: retryOptionsSchema({ retries: 6, minDelayMs: 500, maxDelayMs: 30_000, recordRetries: 3 })
    .extend({
      /** Wait after a TEN_SECONDLY_ROLLING 429 (the window length). */
      tenSecondlyWaitMs: z.number().int().nonnegative().default(10_000),
      /** Wait after a search "secondly" 429. */
      secondlyWaitMs: z.number().int().nonnegative().default(1_000),
      /** Wait after 423 Locked (HubSpot asks for at least 2 s). */
      lockedWaitMs: z.number().int().nonnegative().default(2_000),
    })
    .prefault({}),
  /** A call that has not answered after this long is abandoned and retried. */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** Refresh an OAuth access token this long before it expires. */
  refreshAheadMs: z.number().int().nonnegative().default(5 * 60_000),
  pageSizes: z
    .object({
      list: z.number().int().min(1).max(100).default(100),
      search: z.number().int().min(1).max(200).default(200),
      /**
       * Records of an incremental run's first search: no filter, newest first (pull.ts). When
       * they reach back past the saved point, they are all that changed and the search's total
       * tells whether anything was deleted. 0: no probe (the filtered search and the archived
       * list every run).
       */
      probe: z.number().int().min(0).max(200).default(200),
      /** Ids per association batch read (the API takes up to 1,000); full pulls gather list pages to fill it. */
      associations: z.number().int().min(1).max(1000).default(1000),
      owners: z.number().int().min(1).max(500).default(100),
      update: z.number().int().min(1).max(100).default(100),
    })
    .prefault({}),
  /** Search returns at most this many results per query; past it the query is restarted. */
  searchResultCap: z.number().int().positive().default(10_000),
  /** Incremental pulls look this far behind the saved point, since search is eventually consistent. */
  searchLookbackMs: z.number().int().nonnegative().default(60_000),
  /**
   * Product property holding the offering's family. HubSpot has no standard one (and `hs_` names
   * are reserved to HubSpot), so it is a portal's custom property; unset, offerings are products.
   */
  productFamilyProperty: propertyName.nullable().default(null),
  lineItemCostProperty: propertyName.nullable().default('hs_cost_of_goods_sold'),
  /**
   * Whether the cost property holds the cost of one unit (HubSpot's hs_cost_of_goods_sold,
   * labelled "Unit cost") or of the whole line (a custom property).
   */
  lineItemCostPer: z.enum(['unit', 'line']).default('unit'),
  extraCompanyProperties: z.array(propertyName).default([]),
  referenceableProperty: propertyName.nullable().default(null),
  /** Contact checkbox saying whether the person still works with the customer; unset, every contact counts as active. */
  contactActiveProperty: propertyName.nullable().default(null),
  keyProperty: propertyName.default('hs_is_target_account'),
  /** Also set hs_is_target_account and hs_ideal_customer_profile from the tier. */
  syncTargetAccountFromTier: z.boolean().default(false),
});
/** The options, with retry settings stored under their older names read into the shared ones. */
export const hubSpotOptionsSchema = z.preprocess(legacyRetryNames, hubSpotOptionsObject);
export type HubSpotOptionsInput = z.input<typeof hubSpotOptionsObject>;
export type HubSpotOptions = z.output<typeof hubSpotOptionsObject>;

/** Things that are not data: callbacks, the logger, and (for tests) the clock. */
export interface HubSpotRuntime {
  onTokens?: TokenListener;
  logger?: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The search limiter of this connection, shared by every connector made for it in this
   * process (module.ts). Search's per-second limit has no headers to learn from, so a run that
   * starts right after another (a plan's approval, a second sync) would otherwise search with
   * an empty window while the last run's searches still count. Absent: the connector's own.
   */
  searchLimiter?: WindowLimiter;
}
