import { z } from 'zod';
import type { Cursor } from '../../src/contract/connector.ts';
import type { HubSpotObject, StageStatuses } from '../../mappings/hubspot.ts';
import type { PortalCurrencies } from './currency.ts';

/**
 * Lookups that rarely change, kept in the cursors of the streams that use them and read again
 * at most daily: the deal pipelines' stages (the deals stream) and the portal's currencies (the
 * deals and line items streams). A record naming what the kept lookup lacks (a stage, a
 * currency) has it read again at once. The age is this machine's clock: it only decides when
 * to read a lookup again, never which records a pull takes; a clock gone back reads again.
 */
export const LOOKUP_REFRESH_MS = 24 * 60 * 60 * 1000;

const stagesSchema = z.object({ at: z.number(), stages: z.array(z.tuple([z.string(), z.enum(['open', 'won', 'lost'])])) });
const currenciesSchema = z.object({ at: z.number(), company: z.string().min(3), rates: z.array(z.tuple([z.string(), z.number().positive()])), source: z.string() });

function fresh(at: number, now: number): boolean {
  return now >= at && now - at < LOOKUP_REFRESH_MS;
}

function parse<T>(raw: unknown, schema: z.ZodType<T>): T | null {
  if (typeof raw !== 'string') return null;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export function keepStages(stages: StageStatuses, readAt: number): string {
  return JSON.stringify({ at: readAt, stages: [...stages.entries()] });
}

/** The deal stages the deals stream's cursor kept, when read less than a day ago. */
export function keptStages(saved: Cursor | undefined, now: number): StageStatuses | null {
  const kept = parse(saved?.['stages'], stagesSchema);
  return kept && fresh(kept.at, now) ? new Map(kept.stages) : null;
}

/** True when every deal's stage (in its pipeline, or in any when it names none) is known. */
export function stagesCover(stages: StageStatuses, deals: readonly HubSpotObject[]): boolean {
  return deals.every((d) => {
    const stage = d.properties['dealstage'];
    if (typeof stage !== 'string' || stage === '') return true;
    const pipeline = d.properties['pipeline'];
    if (typeof pipeline === 'string' && pipeline !== '') return stages.has(`${pipeline}:${stage}`);
    return [...stages.keys()].some((k) => k.endsWith(`:${stage}`));
  });
}

/** The portal's currencies as a cursor value; a fallback (no documented source answered) is never kept. */
export function keepCurrencies(p: PortalCurrencies, readAt: number): string | null {
  if (p.fallback !== null) return null;
  return JSON.stringify({ at: readAt, company: p.company, rates: [...p.rates.entries()], source: p.source });
}

/** The currencies a money stream's cursor kept, when read less than a day ago. */
export function keptCurrencies(saved: Cursor | undefined, now: number): PortalCurrencies | null {
  const kept = parse(saved?.['currencies'], currenciesSchema);
  return kept && fresh(kept.at, now) ? { company: kept.company, rates: new Map(kept.rates), source: kept.source, fallback: null } : null;
}

const CURRENCY_PROPERTY: Readonly<Record<string, string>> = { deals: 'deal_currency_code', line_items: 'hs_line_item_currency_code' };

/**
 * True when every record's currency is the company's or one the table has a rate for (a deal
 * HubSpot converted itself, `amount_in_home_currency`, needs no rate).
 */
export function currenciesCover(p: PortalCurrencies, type: string, objects: readonly HubSpotObject[]): boolean {
  const property = CURRENCY_PROPERTY[type];
  if (!property) return true;
  return objects.every((o) => {
    const home = o.properties['amount_in_home_currency'];
    if (type === 'deals' && typeof home === 'string' && home !== '') return true;
    const code = o.properties[property];
    return typeof code !== 'string' || code === '' || code === p.company || p.rates.has(code);
  });
}
