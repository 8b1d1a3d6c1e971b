import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../src/sandbox/clock.ts';
import { parseCsv, toCsv } from '../../../src/sandbox/csv.ts';
import { FaultEngine } from '../../../src/sandbox/faults.ts';
import { defaultProperties, normalizeValue } from '../../../src/sandbox/hubspot/properties.ts';
import { IdFactory, sfChecksum } from '../../../src/sandbox/ids.ts';
import { createPrng } from '../../../src/sandbox/prng.ts';
import { classifySfCall } from '../../../src/sandbox/salesforce/middleware.ts';
import { salesforceFieldName } from '../../../src/sandbox/seed/names.ts';

describe('ids', () => {
  it('computes the Salesforce case-safe suffix', () => {
    // Known pair: 001A0000006Vm9r -> 001A0000006Vm9rIAC
    expect(sfChecksum('001A0000006Vm9r')).toBe('IAC');
  });

  it('hands out ids that sort in creation order, per object prefix', () => {
    const ids = new IdFactory(500);
    const a = Array.from({ length: 70 }, () => ids.salesforce('Account'));
    expect(a[0]).toMatch(/^001[A-Za-z0-9]{15}$/);
    expect([...a].sort()).toEqual(a);
    expect(ids.salesforce('Contact').startsWith('003')).toBe(true);
    expect([ids.hubspot(), ids.hubspot()]).toEqual(['500', '501']);
  });
});

describe('clock', () => {
  it('stamps strictly increasing times and only moves forward', () => {
    const clock = new SandboxClock(Date.UTC(2026, 0, 1));
    const a = clock.stamp();
    const b = clock.stamp();
    expect(b - a).toBe(1);
    clock.advance(60_000);
    expect(clock.stamp()).toBe(b + 60_001);
    expect(() => clock.advance(-1)).toThrow('cannot go backwards');
  });

  it('on the wall clock never goes backwards nor runs ahead, so writes made together share a stamp', () => {
    const clock = new SandboxClock();
    const before = Date.now();
    const stamps = Array.from({ length: 5000 }, () => clock.stamp());
    const after = Date.now();
    for (let i = 1; i < stamps.length; i++) expect(stamps[i] as number).toBeGreaterThanOrEqual(stamps[i - 1] as number);
    expect(stamps[0] as number).toBeGreaterThanOrEqual(before);
    // 5,000 strictly increasing stamps would end 5 s ahead; these stay within the real time taken.
    expect(stamps[4999] as number).toBeLessThanOrEqual(after);
    expect(new Set(stamps).size).toBeLessThan(5000);
  });
});

describe('csv', () => {
  it('round-trips quotes, commas and newlines', () => {
    const text = toCsv(['Id', 'Note'], [['1', 'a, "b"\nc'], ['2', '']]);
    expect(text).toBe('Id,Note\n1,"a, ""b""\nc"\n2,\n');
    expect(parseCsv(text)).toEqual([['Id', 'Note'], ['1', 'a, "b"\nc'], ['2', '']]);
  });

  it('reads CRLF and reports an unclosed quote', () => {
    expect(parseCsv('a,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(() => parseCsv('a\n"open')).toThrow('unclosed quote');
  });
});

describe('fault engine', () => {
  it('draws the same faults from the same seed', () => {
    const run = (): string[] => {
      const f = new FaultEngine(7, 0);
      f.set({ rate429: 0.3, rate5xx: 0.3 }, 0);
      return Array.from({ length: 50 }, () => f.decide(1).outcome);
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['none', 'rate-limit', 'server-error']));
  });

  it('expires tokens issued before the setting for N calls only', () => {
    const f = new FaultEngine(1, 5);
    f.set({ expireTokens: 2, latencyMs: 10 }, 3);
    expect(f.decide(4)).toEqual({ delayMs: 15, outcome: 'none' });
    expect(f.decide(3).outcome).toBe('expired-token');
    expect(f.decide(1).outcome).toBe('expired-token');
    expect(f.decide(1).outcome).toBe('none');
  });

  it('adds slow-call delay to the share it is set for', () => {
    const f = new FaultEngine(3, 0);
    f.set({ slowShare: 1, slowMs: 250 }, 0);
    expect(f.decide(0).delayMs).toBe(250);
  });

  it('rejects unknown and out-of-range settings', () => {
    const f = new FaultEngine(1, 0);
    expect(() => f.set({ rate429: 2 }, 0)).toThrow();
    expect(() => f.set({ nope: 1 } as never, 0)).toThrow();
  });

  it('gives a uniform-looking PRNG stream', () => {
    const p = createPrng(123);
    const xs = Array.from({ length: 10_000 }, () => p.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.filter((x) => x < 0.5).length).toBeGreaterThan(4800);
    expect(xs.filter((x) => x < 0.5).length).toBeLessThan(5200);
  });
});

describe('HubSpot property values', () => {
  const props = new Map(defaultProperties('companies', 0).map((p) => [p.name, p]));
  const def = (name: string) => props.get(name) as NonNullable<ReturnType<typeof props.get>>;

  it('normalizes numbers, booleans and datetimes to strings, and clears on empty', () => {
    expect(normalizeValue(def('numberofemployees'), '0012.50')).toEqual({ ok: true, value: '12.5' });
    expect(normalizeValue(def('numberofemployees'), 7)).toEqual({ ok: true, value: '7' });
    expect(normalizeValue(def('hs_is_target_account'), 'TRUE')).toEqual({ ok: true, value: 'true' });
    expect(normalizeValue(def('hs_lastmodifieddate'), '1767225600000')).toEqual({ ok: true, value: '2026-01-01T00:00:00.000Z' });
    expect(normalizeValue(def('name'), '')).toEqual({ ok: true, value: null });
  });

  it('rejects values of the wrong type', () => {
    expect(normalizeValue(def('numberofemployees'), 'many')).toMatchObject({ ok: false, code: 'INVALID_INTEGER' });
    expect(normalizeValue(def('hs_is_target_account'), 'yes')).toMatchObject({ ok: false, code: 'INVALID_BOOLEAN' });
    expect(normalizeValue(def('name'), { a: 1 })).toMatchObject({ ok: false, code: 'INVALID_VALUE' });
  });
});

describe('naming', () => {
  it('maps kam_* keys to the Salesforce names of the domain table', () => {
    expect(salesforceFieldName('kam_tier')).toBe('KAM_Tier__c');
    expect(salesforceFieldName('kam_next_best_offers')).toBe('KAM_Next_Best_Offers__c');
    expect(salesforceFieldName('kam_updated_at')).toBe('KAM_Updated_At__c');
  });

  it('names Salesforce calls by endpoint', () => {
    expect(classifySfCall('GET', '/services/data/v62.0/query')).toBe('query');
    expect(classifySfCall('GET', '/services/data/v62.0/query/01gX-200')).toBe('queryMore');
    expect(classifySfCall('PATCH', '/services/data/v62.0/composite/sobjects')).toBe('collectionsUpdate');
    expect(classifySfCall('GET', '/services/data/v62.0/sobjects/Account/updated')).toBe('getUpdated');
    expect(classifySfCall('GET', '/services/data/v62.0/sobjects/Account/describe')).toBe('describe');
  });
});

describe('seed stamps', () => {
  it('reserves consecutive stamps that end by now on the wall clock', () => {
    const clock = new SandboxClock();
    const before = Date.now();
    const next = clock.reserve(5000);
    const stamps = Array.from({ length: 5000 }, () => next());
    expect(stamps[4999]).toBe((stamps[0] as number) + 4999);
    expect(stamps[4999] as number).toBeLessThanOrEqual(Date.now());
    expect(stamps[0] as number).toBeGreaterThanOrEqual(before - 5000);
    expect(clock.stamp()).toBeGreaterThanOrEqual(stamps[4999] as number);
  });

  it('ends by now even when a stamp was taken before the reservation (stores set up first)', () => {
    const clock = new SandboxClock();
    clock.stamp();
    const next = clock.reserve(5000);
    const stamps = Array.from({ length: 5000 }, () => next());
    const now = Date.now();
    expect(stamps[4999] as number).toBeLessThanOrEqual(now);
    // The clock is not left ahead of the wall clock: a write right after seeding is stamped now.
    expect(clock.peek()).toBeLessThanOrEqual(Date.now());
  });

  it('starts at the manual clock and moves it past the reservation', () => {
    const clock = new SandboxClock(1000);
    const next = clock.reserve(3);
    expect([next(), next(), next()]).toEqual([1001, 1002, 1003]);
    expect(next()).toBe(1004);
    expect(clock.stamp()).toBe(1005);
  });
});
