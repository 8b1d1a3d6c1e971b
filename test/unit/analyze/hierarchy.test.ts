import { describe, expect, it } from 'vitest';
import { accountPath, buildHierarchy } from '../../../src/analyze/hierarchy.ts';
import type { Account } from '../../../src/model/snapshot.ts';
import { account, run, snapshot } from './builders.ts';

function hierarchyOf(accounts: Account[]) {
  const sorted = [...accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const indexOf = new Map(sorted.map((a, i) => [a.id, i] as const));
  return { sorted, indexOf, h: buildHierarchy(sorted, indexOf) };
}

const pad = (i: number) => String(i).padStart(5, '0');

describe('hierarchy', () => {
  it('resolves a 10,000-deep chain without recursion (parents before children)', () => {
    const accounts = Array.from({ length: 10_000 }, (_, i) => account(`A${pad(i)}`, { parentId: i === 0 ? null : `A${pad(i - 1)}` }));
    const { sorted, indexOf, h } = hierarchyOf(accounts);
    const last = indexOf.get('A09999') as number;
    expect(h.depth[last]).toBe(9999);
    expect(sorted[h.root[last] as number]?.id).toBe('A00000');
    const path = accountPath(sorted, h, last);
    expect(path).toHaveLength(10_000);
    expect(path[0]).toBe('A00000');
    expect(path[9999]).toBe('A09999');
    expect(h.issues).toEqual([]);
  });

  it('resolves a 10,000-deep chain whose deepest account comes first in id order', () => {
    // B00000 is the deepest; B09999 the root.
    const accounts = Array.from({ length: 10_000 }, (_, i) => account(`B${pad(i)}`, { parentId: i === 9999 ? null : `B${pad(i + 1)}` }));
    const { indexOf, h } = hierarchyOf(accounts);
    expect(h.depth[indexOf.get('B00000') as number]).toBe(9999);
    expect(h.depth[indexOf.get('B09998') as number]).toBe(1);
    expect(h.root[indexOf.get('B00000') as number]).toBe(indexOf.get('B09999'));
  });

  it('breaks a cycle at the smallest id, which becomes the root, and reports it', () => {
    // X1 -> X3 -> X2 -> X1 (child -> parent); Y hangs below X2.
    const { sorted, indexOf, h } = hierarchyOf([
      account('X3', { parentId: 'X2' }),
      account('X1', { parentId: 'X3' }),
      account('X2', { parentId: 'X1' }),
      account('Y', { parentId: 'X2' }),
    ]);
    const depth = (id: string) => h.depth[indexOf.get(id) as number];
    const root = (id: string) => sorted[h.root[indexOf.get(id) as number] as number]?.id;
    // X1 is the root; X2's parent is X1, X3's is X2, Y's is X2.
    expect([depth('X1'), depth('X2'), depth('X3'), depth('Y')]).toEqual([0, 1, 2, 2]);
    expect(['X1', 'X2', 'X3', 'Y'].map(root)).toEqual(['X1', 'X1', 'X1', 'X1']);
    expect(h.issues).toEqual([
      { kind: 'cycle', recordId: 'X1', message: 'parent cycle X1 -> X3 -> X2 -> X1; broken at X1, which is treated as a root' },
    ]);
  });

  it('treats an account that is its own parent as a cycle of one', () => {
    const { h } = hierarchyOf([account('S', { parentId: 'S' })]);
    expect(h.depth[0]).toBe(0);
    expect(h.issues.map((i) => [i.kind, i.recordId])).toEqual([['cycle', 'S']]);
  });

  it('makes an account whose parent is missing a root and reports it', () => {
    const { indexOf, h } = hierarchyOf([account('M1', { parentId: 'GONE' }), account('M2', { parentId: 'M1' })]);
    expect(h.root[indexOf.get('M2') as number]).toBe(indexOf.get('M1'));
    expect(h.depth[indexOf.get('M2') as number]).toBe(1);
    expect(h.issues).toEqual([
      { kind: 'missing-parent', recordId: 'M1', message: 'parent GONE of account M1 is not in the data; M1 is treated as a root' },
    ]);
  });

  it('gives every account its family id and depth in the analysis output', () => {
    const r = run(snapshot({ accounts: [account('C', { parentId: 'B' }), account('B', { parentId: 'A' }), account('A'), account('Z')] }));
    expect(r.accounts.map((a) => [a.id, a.familyId, a.depth, a.kam_ultimate_parent])).toEqual([
      ['A', 'A', 0, 'A A Inc'],
      ['B', 'A', 1, 'A A Inc'],
      ['C', 'A', 2, 'A A Inc'],
      ['Z', 'Z', 0, 'Z Z Inc'],
    ]);
    expect(r.families.map((f) => [f.id, f.entityIds])).toEqual([['A', ['A', 'B', 'C']], ['Z', ['Z']]]);
  });
});
