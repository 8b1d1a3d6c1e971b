import express, { type Request, type Response, type Router } from 'express';
import type { HsContext } from './context.ts';

/**
 * The Settings API currencies endpoints the connector reads (settings-multicurrency v3 spec):
 * `GET /settings/v3/currencies/company-currency` answers `{createdAt, id}` where `id` is "the
 * currency code for the company currency", and `GET /settings/v3/currencies/exchange-rates/current`
 * answers `{results: ExchangeRate[]}` without paging, each rate "the exchange rate from the
 * additional currency to your company currency" (company units for one unit of it).
 */
export function hubspotCurrencyRoutes(ctx: HsContext): Router {
  const r = express.Router();
  const created = (): string => new Date(ctx.store.createdAt).toISOString();

  r.get('/settings/v3/currencies/company-currency', (_req: Request, res: Response) => {
    res.json({ createdAt: created(), id: ctx.store.companyCurrency });
  });

  r.get('/settings/v3/currencies/exchange-rates/current', (_req: Request, res: Response) => {
    const company = ctx.store.companyCurrency;
    let n = 0;
    res.json({
      results: [...ctx.store.exchangeRates].map(([code, rate]) => ({
        id: String(9000 + ++n),
        fromCurrencyCode: code,
        toCurrencyCode: company,
        conversionRate: rate,
        effectiveAt: created(),
        visibleInUI: true,
        createdAt: created(),
        updatedAt: created(),
      })),
    });
  });
  return r;
}
