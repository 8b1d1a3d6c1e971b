import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  checkAccount, checkContact, checkLineItem, checkOpportunity, checkProduct, checkUser, isIsoDate,
} from '../../../src/model/snapshot-check.ts';
import {
  accountSchema, contactSchema, isoDate, lineItemSchema, opportunitySchema, productSchema, userSchema,
} from '../../../src/model/snapshot.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';

// Values of every JSON type (and a few only code can make), well-formed or not for any field.
const anyValue = fc.oneof(
  fc.string({ maxLength: 4 }), fc.constantFrom('', 'A1', 'won', 'open', 'lost', '2026-02-28', '2026-02-29', '2024-02-29T10:00:00Z'),
  fc.integer({ min: -5, max: 5 }), fc.double(), fc.constantFrom(Infinity, -0), fc.boolean(), fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('a', 'kam_tier', '__proto__'), fc.oneof(fc.string({ maxLength: 2 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 1 }))),
);

const text = fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null));
const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(null));
const values = fc.dictionary(fc.constantFrom('kam_tier', 'x', '__proto__'), fc.oneof(fc.string({ maxLength: 2 }), fc.integer(), fc.boolean(), fc.constant(null)));
/** A usual value for each field, so that most records are nearly valid and a few changes decide. */
const USUAL: Record<string, fc.Arbitrary<unknown>> = {
  id: fc.constantFrom('A1', 'B-2'), name: fc.string({ maxLength: 3 }), parentId: text, industry: text, employees: num,
  annualRevenue: num, country: text, ownerId: text, markedKey: fc.oneof(fc.boolean(), fc.constant(null)), fields: values, extra: values,
  accountId: fc.oneof(fc.constantFrom('A1'), fc.constant(null)), email: text, title: text, active: fc.boolean(), referenceable: fc.boolean(),
  family: text, productId: fc.constantFrom('P1'), quantity: fc.integer(), totalPrice: fc.double({ noNaN: true, noDefaultInfinity: true }),
  cost: num, status: fc.constantFrom('open', 'won', 'lost'), amount: num, closeDate: fc.constantFrom('2026-05-01', '2024-02-29T08:00:00Z'),
  lineItems: fc.array(fc.record({ id: fc.constant('L1') }), { maxLength: 2 }), unknown: anyValue,
  // Conversion notes, mostly well-formed: each field now and then of the wrong kind or range.
  conversion: fc.record({
    currency: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('EUR', 'GBP') }, { weight: 1, arbitrary: anyValue }),
    amount: fc.oneof({ weight: 9, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) }, { weight: 1, arbitrary: anyValue }),
    rate: fc.oneof({ weight: 9, arbitrary: fc.oneof(fc.constantFrom(1.25, 0.8), fc.constant(null)) }, { weight: 1, arbitrary: anyValue }),
    source: fc.oneof({ weight: 9, arbitrary: fc.oneof(fc.constantFrom('Salesforce CurrencyType'), fc.constant(null)) }, { weight: 1, arbitrary: anyValue }),
  }),
};

const REQUIRED = ['id', 'name', 'productId', 'totalPrice', 'accountId', 'status', 'closeDate'];

function record(keys: string[]) {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of [...keys, 'unknown']) shape[k] = fc.oneof({ weight: 19, arbitrary: USUAL[k] ?? anyValue }, { weight: 1, arbitrary: anyValue });
  // Required fields are mostly there; the other fields come and go.
  return fc.tuple(fc.record(shape, { requiredKeys: keys.filter((k) => REQUIRED.includes(k)) }), fc.constantFrom(...keys, 'none'), fc.integer({ min: 0, max: 9 }))
    .map(([r, drop, dice]) => {
      const copy: Record<string, unknown> = { ...r };
      if (dice === 0) delete copy[drop];
      return copy;
    });
}

function agrees(fast: (raw: unknown) => unknown, schema: z.ZodType<unknown>, keys: string[]): void {
  let accepted = 0;
  fc.assert(fc.property(fc.oneof(record(keys), anyValue), (raw) => {
    const checked = fast(raw);
    if (checked !== null) accepted++;
    const zod = schema.safeParse(raw);
    // Never more forgiving than zod, and the same values when it accepts.
    if (checked !== null) {
      expect(zod.success).toBe(true);
      expect(checked).toEqual(zod.data);
    }
    if (!zod.success) expect(checked).toBeNull();
  }), { numRuns: 3000 });
  // The comparison means something only if the fast path accepted records too.
  expect(accepted).toBeGreaterThan(20);
}

describe('fast record checks', () => {
  it('accept exactly what the zod schemas accept, with the same values', () => {
    agrees(checkAccount, accountSchema, ['id', 'name', 'parentId', 'industry', 'employees', 'annualRevenue', 'country', 'ownerId', 'markedKey', 'fields', 'extra']);
    agrees(checkContact, contactSchema, ['id', 'accountId', 'name', 'email', 'title', 'active', 'referenceable']);
    agrees(checkProduct, productSchema, ['id', 'name', 'family', 'active']);
    agrees(checkUser, userSchema, ['id', 'name', 'active']);
    agrees(checkLineItem, lineItemSchema, ['id', 'productId', 'quantity', 'totalPrice', 'cost', 'conversion']);
    agrees(checkOpportunity, opportunitySchema, ['id', 'accountId', 'name', 'status', 'amount', 'closeDate', 'ownerId', 'lineItems', 'conversion']);
  });

  it('decide every record of a generated org themselves, without zod', () => {
    const org = JSON.parse(JSON.stringify(generateSampleOrg({ seed: 2, accounts: 200, asOf: '2026-06-30' }))) as Record<string, unknown[]>;
    const all = (list: string, check: (raw: unknown) => unknown) => (org[list] ?? []).every((r) => check(r) !== null);
    expect(all('accounts', checkAccount)).toBe(true);
    expect(all('contacts', checkContact)).toBe(true);
    expect(all('products', checkProduct)).toBe(true);
    expect(all('users', checkUser)).toBe(true);
    expect(all('opportunities', checkOpportunity)).toBe(true);
    expect((org['opportunities'] as { lineItems: unknown[] }[]).every((o) => o.lineItems.every((l) => checkLineItem(l) !== null))).toBe(true);
  });

  it('tell real calendar dates as the zod date does', () => {
    const days: string[] = [];
    for (const year of ['0000', '1900', '2000', '2023', '2024', '2100', '9999']) {
      for (let m = 0; m <= 13; m++) for (let d = 0; d <= 32; d++) days.push(`${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    }
    days.push('2026-06-30T12:00:00Z', '2026-06-30 12:00:00+02:00', '2026-06-30T', '2026-6-30', ' 2026-06-30', '2026-06-30Z');
    for (const s of days) expect(isIsoDate(s), s).toBe(isoDate.safeParse(s).success);
    fc.assert(fc.property(fc.string({ maxLength: 12 }), (s) => isIsoDate(s) === isoDate.safeParse(s).success));
  });
});
