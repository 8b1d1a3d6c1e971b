/**
 * Compares two analysis JSON files of any size, value by value: `node --import tsx
 * scripts/compare-analysis.ts OLD.json NEW.json`. A family matrix written as one object per
 * cell (the format before the matrix went into columns) is converted to the columns first, so
 * an output of an earlier version can be checked against the current one: every other key
 * must be identical. Prints the first difference of each section and exits 1, or exits 0.
 * `--convert OLD.json OUT.json` writes a small old-format file in the current format instead
 * (compact, as `kamflow analyze --json` writes it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { STATE_CHARS, STATE_CODE, type MatrixJson, type SuggestionJson } from '../src/model/matrix.ts';
import type { CellState, Suggestion } from '../src/model/insights.ts';
import { JsonSnapshotScanner } from '../src/snapshot/json-scanner.ts';

const LISTS = new Set(['families', 'accounts', 'drift', 'issues']);

interface OldCell {
  entityId: string;
  offering: string;
  state: CellState;
  revenue: number;
  lifetimeRevenue: number;
  lastWonDate: string | null;
  openAmount: number;
  suggestion: Suggestion | null;
}

/** The old cell list in columns; `entities` from the family, since a catalogue without offerings had no cells. */
function columns(entities: string[], cells: OldCell[]): MatrixJson {
  const offerings = [...new Set(cells.map((c) => c.offering))];
  const O = offerings.length;
  const row = (e: number) => cells.slice(e * O, (e + 1) * O);
  const rows = <T>(pick: (c: OldCell) => T): T[][] => entities.map((_, e) => row(e).map(pick));
  const suggestions: SuggestionJson[] = [];
  for (const c of cells) if (c.suggestion) suggestions.push({ entity: c.entityId, offering: c.offering, ...c.suggestion });
  return {
    entities,
    offerings,
    states: entities.map((_, e) => row(e).map((c) => STATE_CHARS[STATE_CODE[c.state]]).join('')),
    revenue: rows((c) => c.revenue),
    lifetimeRevenue: rows((c) => c.lifetimeRevenue),
    openAmount: rows((c) => c.openAmount),
    lastWonDate: rows((c) => c.lastWonDate),
    suggestions,
  };
}

function canonical(list: string, value: unknown): string {
  const family = value as { entityIds?: string[]; matrix?: unknown };
  if (list === 'families' && Array.isArray(family.matrix) && Array.isArray(family.entityIds)) {
    return JSON.stringify({ ...family, matrix: columns(family.entityIds, family.matrix as OldCell[]) });
  }
  return JSON.stringify(value);
}

interface Digest {
  values: Map<string, string>;
  items: Map<string, string[]>;
}

async function digest(path: string): Promise<Digest> {
  const d: Digest = { values: new Map(), items: new Map() };
  const scanner = new JsonSnapshotScanner({
    value: (key, text) => d.values.set(key, text === null ? '(too long)' : JSON.stringify(JSON.parse(text))),
    records: (list, values) => {
      const hashes = d.items.get(list) ?? [];
      for (const v of values) hashes.push(createHash('sha256').update(canonical(list, v)).digest('hex').slice(0, 24));
      d.items.set(list, hashes);
    },
  }, LISTS);
  const file = await open(path, 'r');
  const chunk = Buffer.allocUnsafe(1 << 22);
  for (;;) {
    const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    scanner.feed(chunk.subarray(0, bytesRead));
  }
  await file.close();
  scanner.finish();
  return d;
}

if (process.argv[2] === '--convert') {
  const [from, to] = process.argv.slice(3);
  if (!from || !to) throw new Error('--convert OLD.json OUT.json');
  const doc = JSON.parse(readFileSync(from, 'utf8')) as Record<string, unknown>;
  const converted = { ...doc, families: (doc['families'] as unknown[]).map((f) => JSON.parse(canonical('families', f)) as unknown) };
  writeFileSync(to, `${JSON.stringify(converted)}\n`);
  process.exit(0);
}
const [oldPath, newPath] = process.argv.slice(2);
if (!oldPath || !newPath) {
  process.stderr.write('Usage: node --import tsx scripts/compare-analysis.ts OLD.json NEW.json\n');
  process.exit(2);
}
const [a, b] = await Promise.all([digest(oldPath), digest(newPath)]);
let same = true;
for (const key of new Set([...a.values.keys(), ...b.values.keys()])) {
  if (a.values.get(key) !== b.values.get(key)) {
    same = false;
    process.stdout.write(`${key}: differs\n  old ${a.values.get(key) ?? '(none)'}\n  new ${b.values.get(key) ?? '(none)'}\n`);
  }
}
process.stdout.write(`${a.values.size} top-level values compared\n`);
for (const list of LISTS) {
  const x = a.items.get(list) ?? [];
  const y = b.items.get(list) ?? [];
  const first = x.findIndex((h, i) => h !== y[i]);
  if (x.length !== y.length || first !== -1) {
    same = false;
    process.stdout.write(`${list}: ${x.length} old, ${y.length} new; first difference at index ${first === -1 ? Math.min(x.length, y.length) : first}\n`);
  } else {
    process.stdout.write(`${list}: ${x.length} identical\n`);
  }
}
process.stdout.write(same ? 'same results\n' : 'DIFFERENT\n');
process.exit(same ? 0 : 1);
