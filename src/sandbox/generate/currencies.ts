import type { Opportunity } from '../../model/snapshot.ts';
import { round2 } from './opportunities.ts';

/**
 * Books every n-th deal of a sample org in another currency, for multi-currency orgs and
 * portals: the deal and its line items get a conversion note (the amount the CRM holds in that
 * currency, and the rate into the org's currency), and their org-currency amounts become what
 * that amount converts to, so the snapshot's amounts are exactly what a CRM converting at the
 * same rate reports. Deals without an amount stay in the org's currency.
 *
 * `rates`: units of the org's currency for one unit of each other currency.
 */
export function bookInCurrencies(deals: Opportunity[], corporate: string, rates: Readonly<Record<string, number>>): Opportunity[] {
  return deals.map(currencyBooker(corporate, rates));
}

/** The same booking one deal at a time (`i`: the deal's place among all deals), for streamed orgs. */
export function currencyBooker(corporate: string, rates: Readonly<Record<string, number>>): (deal: Opportunity, i: number) => Opportunity {
  const codes = [corporate, ...Object.keys(rates).filter((c) => c !== corporate).sort()];
  if (codes.length === 1) return (deal) => deal;
  return (deal, i) => {
    const code = codes[i % codes.length] as string;
    const rate = rates[code];
    if (code === corporate || rate === undefined || deal.amount === null) return deal;
    const held = round2(deal.amount / rate);
    const note = (amount: number) => ({ currency: code, amount, rate, source: 'sample org' });
    return {
      ...deal,
      amount: round2(held * rate),
      conversion: note(held),
      lineItems: deal.lineItems.map((li) => {
        const total = round2(li.totalPrice / rate);
        return {
          ...li,
          totalPrice: round2(total * rate),
          cost: li.cost === null ? null : round2(round2(li.cost / rate) * rate),
          conversion: note(total),
        };
      }),
    };
  };
}
