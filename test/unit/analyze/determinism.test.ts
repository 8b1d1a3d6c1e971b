import { describe, expect, it } from 'vitest';
import { analysisJsonChunks } from '../../../src/analyze/index.ts';
import type { Opportunity, Snapshot } from '../../../src/model/snapshot.ts';
import { account, contact, opp, product, run, snapshot } from './builders.ts';

/** A deterministic pseudo-random source (mulberry32), so the test is the same on every run. */
function random(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], rnd: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

function portfolio(): Snapshot {
  const rnd = random(7);
  const industries = ['Retail', 'Energy', 'Health'];
  const accounts = Array.from({ length: 300 }, (_, i) =>
    account(`A${String(i).padStart(3, '0')}`, {
      parentId: i % 4 === 0 ? null : `A${String(i - 1 - Math.floor(rnd() * (i % 4))).padStart(3, '0')}`,
      industry: industries[i % 3] ?? null,
      employees: [50, 500, 2000][Math.floor(rnd() * 3)] ?? null,
      markedKey: rnd() < 0.05,
    }));
  accounts.push(account('LOOP1', { parentId: 'LOOP2' }), account('LOOP2', { parentId: 'LOOP1' }), account('ORPHAN', { parentId: 'NONE' }));
  const products = Array.from({ length: 12 }, (_, i) => product(`prod${i}`, { family: `fam${i % 6}` }));
  const statuses = ['won', 'won', 'lost', 'open'] as const;
  const days = ['2024-03-01', '2025-02-10', '2025-08-20', '2026-01-05', '2026-05-30', '2026-08-01'];
  const opportunities: Opportunity[] = Array.from({ length: 1500 }, (_, i) =>
    opp(`O${i}`, accounts[Math.floor(rnd() * accounts.length)]?.id ?? 'A000', statuses[i % 4] ?? 'won', days[Math.floor(rnd() * days.length)] ?? '2026-01-05',
      Array.from({ length: 1 + (i % 3) }, () => [`prod${Math.floor(rnd() * 13)}`, Math.round(rnd() * 100_000) / 100, rnd() < 0.5 ? Math.round(rnd() * 50_000) / 100 : null] as [string, number, number | null]),
      { amount: rnd() < 0.3 ? Math.round(rnd() * 200_000) / 100 : null, ownerId: `U${Math.floor(rnd() * 4)}` }));
  const contacts = Array.from({ length: 900 }, (_, i) => contact(`C${i}`, accounts[Math.floor(rnd() * accounts.length)]?.id ?? null, { referenceable: rnd() < 0.2 }));
  return snapshot({ accounts, products, opportunities, contacts, users: [{ id: 'U0', name: 'Ann', active: true }] });
}

describe('determinism', () => {
  it('gives byte-identical JSON for the same input in any order', () => {
    const base = portfolio();
    const first = JSON.stringify(run(base));
    const rnd = random(99);
    for (let round = 0; round < 3; round++) {
      const shuffled: Snapshot = {
        ...base,
        accounts: shuffle(base.accounts, rnd),
        products: shuffle(base.products, rnd),
        contacts: shuffle(base.contacts, rnd),
        opportunities: shuffle(base.opportunities, rnd).map((o) => ({ ...o, lineItems: shuffle(o.lineItems, rnd) })),
      };
      expect(JSON.stringify(run(shuffled))).toBe(first);
    }
    // The fixture is not trivial: it has suggestions, Key families and every kind of issue it was built with.
    const r = JSON.parse(first) as ReturnType<typeof run>;
    expect(r.families.some((f) => f.matrix.suggestions.length > 0)).toBe(true);
    expect(new Set(r.issues.map((i) => i.kind))).toEqual(new Set(['cycle', 'missing-parent', 'unknown-product']));
  });
});

describe('analysisJsonChunks', () => {
  it('joins to exactly JSON.stringify of the result', () => {
    const r = run(portfolio());
    const chunks = [...analysisJsonChunks(r)];
    expect(chunks.join('')).toBe(JSON.stringify(r));
  });
  it('handles empty lists', () => {
    const r = run(snapshot({}));
    expect([...analysisJsonChunks(r)].join('')).toBe(JSON.stringify(r));
  });
});
