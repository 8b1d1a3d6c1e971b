/**
 * The record checks: zod's safeParse against the hand-written checks that accept the same
 * (src/model/snapshot-check.ts), over every record of a generated org of the reference size
 * (100,000 accounts, 500,000 contacts, 300,000 opportunities, 1,000,000 line items) after a
 * JSON round trip, as a file reader would see them. `npm run bench:checks -- --accounts N`.
 */
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import * as check from '../src/model/snapshot-check.ts';
import { accountSchema, contactSchema, lineItemSchema, opportunitySchema } from '../src/model/snapshot.ts';
import { generateSampleOrg } from '../src/sandbox/generate.ts';

const { values } = parseArgs({ options: { accounts: { type: 'string' } }, strict: true });
const accounts = Number(values.accounts ?? 100_000);
const org = JSON.parse(JSON.stringify(generateSampleOrg({
  seed: 1, accounts, asOf: '2026-06-30', contactsPerAccount: 5, opportunities: accounts * 3, lineItems: accounts * 10, offerings: 40,
}))) as Record<string, unknown[]>;
const lineItems = (org['opportunities'] as { lineItems: unknown[] }[]).flatMap((o) => o.lineItems);
const sets: [string, unknown[], (raw: unknown) => unknown, z.ZodType<unknown>][] = [
  ['accounts', org['accounts'] ?? [], check.checkAccount, accountSchema],
  ['contacts', org['contacts'] ?? [], check.checkContact, contactSchema],
  ['opportunities', org['opportunities'] ?? [], check.checkOpportunity, opportunitySchema],
  ['line items', lineItems, check.checkLineItem, lineItemSchema],
];
const log = (line: string) => process.stdout.write(`${line}\n`);
log(`Record checks, Node ${process.version}, ${accounts} accounts`);
let zodTotal = 0;
let fastTotal = 0;
for (const [name, list, fast, schema] of sets) {
  let t = performance.now();
  for (const r of list) if (!schema.safeParse(r).success) throw new Error(`zod rejected a generated ${name} record`);
  const z = performance.now() - t;
  t = performance.now();
  for (const r of list) if (fast(r) === null) throw new Error(`the fast check left a generated ${name} record to zod`);
  const f = performance.now() - t;
  zodTotal += z;
  fastTotal += f;
  log(`${name.padEnd(14)} ${String(list.length).padStart(8)} records: zod ${z.toFixed(0)} ms, fast ${f.toFixed(0)} ms`);
}
log(`all: zod ${zodTotal.toFixed(0)} ms, fast ${fastTotal.toFixed(0)} ms: ${(zodTotal / fastTotal).toFixed(1)}x faster`);
