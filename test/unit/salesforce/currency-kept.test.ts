import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cursor, PullPage } from '../../../src/contract/connector.ts';
import { INSTANCE, V, collect, limitHeader, makeConnector, mockNoDatedRates, queryMatching, rec, setupNock, soqlOf, teardownNock } from '../../integration/salesforce/helpers.ts';

/**
 * The org's currency setup (CurrencyType, DatedConversionRate) is read at most daily: a money
 * stream's cursor keeps it, an incremental run within the day reads no currency, a day later it
 * is read again, and a record in a currency the kept rates lack has it read again at once.
 */

beforeEach(setupNock);
afterEach(teardownNock);

const HOUR = 3_600_000;
const T0 = Date.parse('2026-06-30T12:00:00Z');

function currencyTypes(scope: nock.Scope, rows: [string, number, boolean][]): void {
  scope.get(`${V}/query`).query(queryMatching(/FROM CurrencyType/)).reply(200, {
    totalSize: rows.length, done: true, records: rows.map(([IsoCode, ConversionRate, IsCorporate], i) => rec('CurrencyType', { Id: `02cKf000000000${i}AAA`, IsoCode, ConversionRate, IsCorporate })),
  }, limitHeader(1));
  mockNoDatedRates(scope);
}

function opportunity(id: string, currency: string, amount: number) {
  return rec('Opportunity', {
    Id: id, AccountId: '001Kf0000000001AAA', Name: `Deal ${id}`, StageName: 'Prospecting', IsWon: false, IsClosed: false, Amount: amount,
    CloseDate: '2026-09-30', OwnerId: null, SystemModstamp: '2026-06-30T11:00:00.000+0000', IsDeleted: false, CurrencyIsoCode: currency,
  });
}

/** One incremental Opportunity queryAll answer; the SOQL of each query is kept. */
function opportunities(scope: nock.Scope, records: Record<string, unknown>[], soql: string[]): void {
  scope.get(`${V}/queryAll`).query((q) => {
    const s = soqlOf(q);
    if (!s.includes('FROM Opportunity ')) return false;
    soql.push(s);
    return true;
  }).reply(200, { totalSize: records.length, done: true, records }, limitHeader(3));
}

const saved: Cursor = { phase: 'incremental', ts: '2026-06-30T10:00:00.000Z', id: '', complete: true };

async function run(now: number, cursor: Cursor): Promise<{ pages: PullPage[]; usage: Record<string, number> }> {
  const sf = makeConnector({}, () => now);
  const pages = await collect(sf.pull({ mode: 'incremental', cursors: { opportunities: cursor }, objects: ['opportunities'] }));
  return { pages, usage: sf.usage() };
}

describe('Salesforce currency rates read at most daily', () => {
  it('keeps the rates in the cursor, reads none within the day, and reads them again a day later', async () => {
    const scope = nock(INSTANCE);
    currencyTypes(scope, [['EUR', 1, true], ['USD', 1.25, false]]);
    const soql: string[] = [];
    opportunities(scope, [opportunity('006Kf0000000001AAA', 'USD', 125)], soql);
    const first = await run(T0, saved);
    const rates = first.pages.at(-1)!.cursor['rates'];
    // The first run knows no rates the records were converted with: read from the start of time.
    expect(first.usage).toMatchObject({ query: 2, queryAll: 1 });
    expect(typeof first.pages.at(-1)!.cursor['currency']).toBe('string');
    expect(first.pages[0]!.records[0]).toMatchObject({ id: '006Kf0000000001AAA', amount: 100 });

    // Six hours on: the kept rates are used, no currency query.
    opportunities(scope, [opportunity('006Kf0000000002AAA', 'USD', 250)], soql);
    const second = await run(T0 + 6 * HOUR, first.pages.at(-1)!.cursor);
    expect(second.usage).toEqual({ queryAll: 1 });
    expect(second.pages[0]!.records[0]).toMatchObject({ amount: 200 });
    expect(second.pages.at(-1)!.cursor['rates']).toBe(rates);
    // Not read from the start of time: the rates did not change.
    expect(soql[1]).toContain('SystemModstamp >');

    // A day after they were read: read again (same rates, so the stream goes on from its cursor).
    currencyTypes(scope, [['EUR', 1, true], ['USD', 1.25, false]]);
    opportunities(scope, [], soql);
    const third = await run(T0 + 24 * HOUR, second.pages.at(-1)!.cursor);
    expect(third.usage).toMatchObject({ query: 2, queryAll: 1 });
  });

  it('reads the rates again at once when a record is in a currency the kept ones lack, and converts it', async () => {
    const scope = nock(INSTANCE);
    currencyTypes(scope, [['EUR', 1, true], ['USD', 1.25, false]]);
    const soql: string[] = [];
    opportunities(scope, [], soql);
    const first = await run(T0, saved);

    // An hour later the org added GBP and a deal in it: the kept rates lack it.
    opportunities(scope, [opportunity('006Kf0000000003AAA', 'GBP', 80)], soql);
    currencyTypes(scope, [['EUR', 1, true], ['USD', 1.25, false], ['GBP', 0.8, false]]);
    // The rates changed: the stream is read again from the start of time with the new ones.
    opportunities(scope, [opportunity('006Kf0000000003AAA', 'GBP', 80)], soql);
    const second = await run(T0 + HOUR, first.pages.at(-1)!.cursor);
    expect(second.usage).toMatchObject({ query: 2, queryAll: 2 });
    const records = second.pages.flatMap((p) => p.records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: '006Kf0000000003AAA', amount: 100 });
    expect(second.pages.at(-1)!.cursor['rates']).not.toBe(first.pages.at(-1)!.cursor['rates']);
  });
});
