import type { PortalData } from '../hubspot/fake-portal.ts';
import type { OrgData } from './fake-org.ts';

/**
 * The golden customer base again, with its deals booked in GBP, USD and EUR in a multi-currency
 * Salesforce org and HubSpot portal whose corporate (company) currency is EUR. The rates are the
 * same in both CRMs, each written its own way: 1 EUR = 0.8 GBP = 1.25 USD (Salesforce
 * CurrencyType.ConversionRate) is 1 GBP = 1.25 EUR and 1 USD = 0.8 EUR (HubSpot exchange rates).
 * Converted, every amount is the EUR amount of the single-currency fixtures:
 *
 *   deal 401  9,600 GBP   -> 12,000 EUR   lines 501  8,000 GBP -> 10,000 (cost 4,800 -> 6,000), 502 1,600 -> 2,000
 *   deal 402  6,250 USD   ->  5,000 EUR   line  503  6,250 USD ->  5,000 (HubSpot: 5 x 1,250)
 *   deal 404  1,150.63 USD ->   920.50 EUR (1,150.63 / 1.25 = 920.504)
 *   deal 403  no amount, EUR
 *
 * In HubSpot, deal 401 and 404 carry HubSpot's own amount_in_home_currency; deal 402 has none
 * yet, so its amount is converted at the portal's rate, as are all line items.
 */

type Row = Record<string, unknown>;

const SF_BOOKED: Record<string, { currency: string; amount?: number; total?: number; cost?: number }> = {
  '006Kf0000000401AAA': { currency: 'GBP', amount: 9600 },
  '006Kf0000000402AAA': { currency: 'USD', amount: 6250 },
  '006Kf0000000404AAA': { currency: 'USD', amount: 1150.63 },
  '00kKf0000000501AAA': { currency: 'GBP', total: 8000, cost: 4800 },
  '00kKf0000000502AAA': { currency: 'GBP', total: 1600 },
  '00kKf0000000503AAA': { currency: 'USD', total: 6250 },
};

export function multiCurrencyOrg(org: OrgData): OrgData {
  const book = (r: Row): Row => {
    const b = SF_BOOKED[String(r['Id'])];
    if (!b) return { ...r, CurrencyIsoCode: 'EUR' };
    return {
      ...r,
      CurrencyIsoCode: b.currency,
      ...(b.amount !== undefined ? { Amount: b.amount } : {}),
      ...(b.total !== undefined ? { TotalPrice: b.total } : {}),
      ...(b.cost !== undefined ? { Cost__c: b.cost } : {}),
    };
  };
  return {
    ...org,
    currencyTypes: [
      { IsoCode: 'EUR', ConversionRate: 1, IsCorporate: true },
      { IsoCode: 'GBP', ConversionRate: 0.8, IsCorporate: false },
      { IsoCode: 'USD', ConversionRate: 1.25, IsCorporate: false },
    ],
    records: {
      ...org.records,
      Account: org.records.Account.map((a) => ({ ...a, CurrencyIsoCode: 'EUR' })),
      Opportunity: org.records.Opportunity.map(book),
      OpportunityLineItem: org.records.OpportunityLineItem.map(book),
    },
  };
}

const HS_DEALS: Record<string, Record<string, string>> = {
  '401': { deal_currency_code: 'GBP', amount: '9600', amount_in_home_currency: '12000' },
  '402': { deal_currency_code: 'USD', amount: '6250', amount_in_home_currency: '' },
  '404': { deal_currency_code: 'USD', amount: '1150.63', amount_in_home_currency: '920.5' },
};
const HS_LINES: Record<string, Record<string, string>> = {
  '501': { hs_line_item_currency_code: 'GBP', price: '4000', amount: '8000', hs_cost_of_goods_sold: '4800' },
  '502': { hs_line_item_currency_code: 'GBP', price: '1600', amount: '1600' },
  '503': { hs_line_item_currency_code: 'USD', price: '1250', amount: '' },
};

export function multiCurrencyPortal(data: PortalData): PortalData {
  const patch = (table: Record<string, Record<string, string>>) => (o: unknown): unknown => {
    const rec = o as { id: string; properties: Record<string, unknown> };
    const extra = table[rec.id];
    return extra ? { ...rec, properties: { ...rec.properties, ...extra } } : rec;
  };
  return {
    ...data,
    exchangeRates: { GBP: 1.25, USD: 0.8 },
    deals: data.deals.map(patch(HS_DEALS)),
    line_items: data.line_items.map(patch(HS_LINES)),
  };
}
