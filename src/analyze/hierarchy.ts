import type { AnalysisIssue } from '../model/insights.ts';
import type { Account } from '../model/snapshot.ts';

/**
 * Account hierarchy by integer index into the id-sorted account list. Everything here is
 * iterative: a 10,000-deep chain must not blow the call stack, and a cycle must not loop.
 */
export interface Hierarchy {
  /** Parent index after repairs (missing parent, broken cycle), -1 for a root. */
  parent: Int32Array;
  /** Index of the ultimate parent. */
  root: Int32Array;
  /** 0 for a root. */
  depth: Int32Array;
  issues: AnalysisIssue[];
}

const MAX_IDS_IN_MESSAGE = 20;

function describeCycle(accounts: readonly Account[], parent: Int32Array, start: number): string {
  const ids: string[] = [];
  let cur = start;
  do {
    ids.push(accounts[cur]?.id ?? '?');
    cur = parent[cur] ?? -1;
  } while (cur !== start && cur !== -1 && ids.length < MAX_IDS_IN_MESSAGE);
  return cur === start ? `${ids.join(' -> ')} -> ${ids[0] ?? ''}` : `${ids.join(' -> ')} -> ...`;
}

/**
 * Resolves root and depth of every account. `accounts` must be sorted by id so that "the
 * smallest id" of a cycle is its smallest index.
 */
export function buildHierarchy(accounts: readonly Account[], indexOf: ReadonlyMap<string, number>): Hierarchy {
  const n = accounts.length;
  const parent = new Int32Array(n).fill(-1);
  const root = new Int32Array(n);
  const depth = new Int32Array(n);
  const issues: AnalysisIssue[] = [];

  for (let i = 0; i < n; i++) {
    const a = accounts[i] as Account;
    if (a.parentId === null || a.parentId === '') continue;
    const p = indexOf.get(a.parentId);
    if (p === undefined) {
      issues.push({
        kind: 'missing-parent',
        recordId: a.id,
        message: `parent ${a.parentId} of account ${a.id} is not in the data; ${a.id} is treated as a root`,
      });
    } else {
      parent[i] = p;
    }
  }

  // 0: not seen, 1: on the current walk, 2: resolved.
  const state = new Uint8Array(n);
  const stack = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    if (state[s] === 2) continue;
    for (;;) {
      let top = 0;
      let cur = s;
      while (cur !== -1 && state[cur] === 0) {
        state[cur] = 1;
        stack[top++] = cur;
        cur = parent[cur] as number;
      }
      if (cur !== -1 && state[cur] === 1) {
        // The walk came back to itself: the cycle is the stack from `cur` to the top.
        let smallest = cur;
        for (let k = top - 1; k >= 0 && stack[k] !== cur; k--) smallest = Math.min(smallest, stack[k] as number);
        const id = (accounts[smallest] as Account).id;
        issues.push({
          kind: 'cycle',
          recordId: id,
          message: `parent cycle ${describeCycle(accounts, parent, smallest)}; broken at ${id}, which is treated as a root`,
        });
        parent[smallest] = -1;
        for (let k = 0; k < top; k++) state[stack[k] as number] = 0;
        continue; // walk again from s with the cycle broken
      }
      while (top > 0) {
        const x = stack[--top] as number;
        const p = parent[x] as number;
        if (p === -1) {
          root[x] = x;
          depth[x] = 0;
        } else {
          root[x] = root[p] as number;
          depth[x] = (depth[p] as number) + 1;
        }
        state[x] = 2;
      }
      break;
    }
  }
  return { parent, root, depth, issues };
}

/** Ids from the ultimate parent down to the account, computed on demand (paths are not stored). */
export function accountPath(accounts: readonly Account[], hierarchy: Hierarchy, index: number): string[] {
  const path: string[] = [];
  for (let cur = index; cur !== -1; cur = hierarchy.parent[cur] as number) path.push((accounts[cur] as Account).id);
  return path.reverse();
}

/** Accounts grouped by family, in CSR form: family f owns `entities[start[f] .. start[f+1])`. */
export interface Families {
  count: number;
  /** Account index of each family's root, ascending (so families are in root-id order). */
  rootIndex: Int32Array;
  /** Family index of each account. */
  familyOf: Int32Array;
  start: Int32Array;
  /** Account indexes, ascending (id order) within each family. */
  entities: Int32Array;
}

export function groupFamilies(hierarchy: Hierarchy): Families {
  const n = hierarchy.root.length;
  const familyOfRoot = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) if (hierarchy.root[i] === i) familyOfRoot[i] = count++;
  const rootIndex = new Int32Array(count);
  const familyOf = new Int32Array(n);
  const start = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) {
    const f = familyOfRoot[hierarchy.root[i] as number] as number;
    familyOf[i] = f;
    if (hierarchy.root[i] === i) rootIndex[f] = i;
    start[f + 1] = (start[f + 1] as number) + 1;
  }
  for (let f = 0; f < count; f++) start[f + 1] = (start[f + 1] as number) + (start[f] as number);
  const fill = start.slice(0, count);
  const entities = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = familyOf[i] as number;
    entities[fill[f] as number] = i;
    fill[f] = (fill[f] as number) + 1;
  }
  return { count, rootIndex, familyOf, start, entities };
}
