import { z } from 'zod';
import type { Cursor } from '../../src/contract/connector.ts';
import type { MoneyConverter } from '../../mappings/money.ts';
import type { CurrencyInfo } from './org.ts';

/**
 * The org's currency setup (corporate currency, CurrencyType and DatedConversionRate rates) is
 * read at most daily: a money stream's cursor keeps what it converted with and when that was
 * read (this machine's clock: the age only decides when to read again, never which records a
 * pull takes). A record in a currency the kept rates lack has the setup read again at once.
 */
export const CURRENCY_REFRESH_MS = 24 * 60 * 60 * 1000;

const keptSchema = z.object({
  at: z.number(),
  corporate: z.string().min(3),
  multi: z.boolean(),
  rates: z.array(z.tuple([z.string(), z.number().positive()])),
  dated: z.array(z.object({ code: z.string(), rate: z.number().positive(), start: z.string(), next: z.string().nullable() })).nullable(),
  source: z.string(),
});

/** The setup as a cursor value; a fallback (no documented source answered) is never kept. */
export function keepCurrency(info: CurrencyInfo, readAt: number): string | null {
  if (info.fallback !== null) return null;
  return JSON.stringify({ at: readAt, corporate: info.corporate, multi: info.multiCurrency, rates: [...info.rates.entries()], dated: info.dated, source: info.source });
}

/** The setup a saved cursor kept, when it was read less than a day ago; else null. */
export function keptCurrency(saved: Cursor | undefined, now: number): CurrencyInfo | null {
  const raw = saved?.['currency'];
  if (typeof raw !== 'string') return null;
  let parsed: z.infer<typeof keptSchema>;
  try {
    const r = keptSchema.safeParse(JSON.parse(raw));
    if (!r.success) return null;
    parsed = r.data;
  } catch {
    return null;
  }
  // A clock that went back reads again rather than keep a setup for longer than a day.
  if (now < parsed.at || now - parsed.at >= CURRENCY_REFRESH_MS) return null;
  return { corporate: parsed.corporate, multiCurrency: parsed.multi, rates: new Map(parsed.rates), dated: parsed.dated, source: `${parsed.source}, kept from ${new Date(parsed.at).toISOString()}`, fallback: null };
}

/** A record names a currency the kept setup has no rate for: the setup is read again and the stream pulled anew. */
export class UnknownCurrencyError extends Error {
  constructor(readonly code: string) {
    super(`a record is in ${code}, which the kept currency rates lack`);
  }
}

/** Converts as `inner`, but stops at a currency `info` has no rate for (kept setups only). */
export function guardKept(inner: MoneyConverter, info: CurrencyInfo): MoneyConverter {
  return (amount, code, onDate) => {
    const out = inner(amount, code, onDate);
    if (code !== null && code !== info.corporate && !info.rates.has(code)) throw new UnknownCurrencyError(code);
    return out;
  };
}
