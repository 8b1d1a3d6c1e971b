import type { FileFacts, ImportEdge } from './imports.ts';

/**
 * The room rules of the code, as functions of the parsed files: each returns one line per
 * violation (empty when the rule holds). README "How the pieces fit" describes them.
 */

/** The room of a repo-relative path: `src/sync`, `connectors/hubspot`, `connectors` (the registry), `mappings/hubspot`... */
export function roomOf(path: string): string {
  const parts = path.split('/');
  const [top, second] = parts;
  if (top === 'src') return parts.length === 2 ? `src/${(second ?? '').replace(/\.ts$/, '')}` : `src/${second ?? ''}`;
  if (top === 'connectors') return parts.length === 2 ? 'connectors' : `connectors/${second ?? ''}`;
  if (top === 'mappings') return `mappings/${(second ?? '').replace(/\.ts$/, '')}`;
  return top ?? path;
}

/** Rooms whose files may name sources and reach into their folders: tools around the product. */
// crm-apps holds what installs inside each CRM (one folder per CRM by nature), not product code.
export const EXEMPT_ROOMS = new Set(['src/sandbox', 'src/demo', 'test', 'bench', 'scripts', 'crm-apps']);

const ours = (e: ImportEdge): e is ImportEdge & { to: string } => e.to !== null;

/** A source's folder and its mapping are one source's knowledge: one room for the cycle rule. */
const cycleRoomOf = (path: string): string => roomOf(path).replace(/^mappings\//, 'connectors/');

/** Cycles between rooms (the registry, shared and each source's folder with its mapping count as rooms of their own). */
export function roomCycles(files: readonly FileFacts[]): string[] {
  const roomOf = cycleRoomOf;
  const edges = new Map<string, Set<string>>();
  for (const f of files) {
    const from = roomOf(f.path);
    for (const e of f.imports.filter(ours)) {
      const to = roomOf(e.to);
      if (to === from) continue;
      const set = edges.get(from) ?? new Set<string>();
      set.add(to);
      edges.set(from, set);
    }
  }
  // Tarjan's strongly connected components: any with two or more rooms is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        on.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) {
        const members = new Set(component);
        const through = files.flatMap((f) => f.imports.filter(ours).filter((e) => members.has(roomOf(f.path)) && members.has(roomOf(e.to)) && roomOf(f.path) !== roomOf(e.to)).map((e) => `${f.path} -> ${e.to}`));
        cycles.push(`rooms import each other: ${component.sort().join(', ')} (${through.slice(0, 6).join('; ')})`);
      }
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) strong(v);
  return cycles;
}

/** A room may import only the given rooms of ours (and any package). */
function onlyRooms(files: readonly FileFacts[], room: string, allowed: readonly string[], why: string): string[] {
  return files.filter((f) => roomOf(f.path) === room).flatMap((f) =>
    f.imports.filter(ours).filter((e) => !allowed.includes(roomOf(e.to))).map((e) => `${f.path} imports ${e.to}: ${why}`));
}

export function analyzeImportsOnlyModelAndConfig(files: readonly FileFacts[]): string[] {
  return onlyRooms(files, 'src/analyze', ['src/analyze', 'src/model', 'src/config'], 'the analysis reads only the model and the config');
}

/** The parts of src/store the engine may use: the interface and the mirror-to-snapshot function. */
// read-mirror.ts reads through the Store interface only (batches of mirrorRecords), like snapshot-from-mirror.ts.
const STORE_INTERFACE = new Set(['src/store/types.ts', 'src/store/holder.ts', 'src/store/snapshot-from-mirror.ts', 'src/store/read-mirror.ts']);

export function syncUsesNoStoreImplementation(files: readonly FileFacts[]): string[] {
  return files.filter((f) => roomOf(f.path) === 'src/sync').flatMap((f) =>
    f.imports.filter(ours).filter((e) => roomOf(e.to) === 'src/store' && !STORE_INTERFACE.has(e.to))
      .map((e) => `${f.path} imports ${e.to}: the sync engine talks to the Store interface, never to an implementation`));
}

/** The contract imports nothing of ours but types of the model's records. */
export function contractStandsAlone(files: readonly FileFacts[]): string[] {
  return files.filter((f) => roomOf(f.path) === 'src/contract').flatMap((f) =>
    f.imports.filter(ours).filter((e) => roomOf(e.to) !== 'src/contract' && !(roomOf(e.to) === 'src/model' && e.typeOnly))
      .map((e) => `${f.path} imports ${e.to}: the contract imports no room (only \`import type\` from src/model)`));
}

/** Rooms that know no source at all: not even the registry. */
const SOURCE_BLIND = ['src/contract', 'src/model', 'src/analyze', 'src/config', 'src/store', 'src/sync', 'src/server', 'src/log'];

export function sourceBlindRooms(files: readonly FileFacts[]): string[] {
  return files.filter((f) => SOURCE_BLIND.includes(roomOf(f.path))).flatMap((f) =>
    f.imports.filter(ours).filter((e) => e.to.startsWith('connectors/') || e.to.startsWith('mappings/'))
      .map((e) => `${f.path} imports ${e.to}: ${roomOf(f.path)} knows no source; it gets what it needs through the contract or its caller`));
}

/**
 * Nothing outside a source's own folder, its mapping and the registry names a source: no
 * import into `connectors/<kind>/` or `mappings/<kind>.ts`, no string literal that is a source id.
 */
export function sourcesNamedOnlyAtHome(files: readonly FileFacts[], kinds: readonly string[]): string[] {
  const home = (room: string, kind: string): boolean => room === `connectors/${kind}` || room === `mappings/${kind}`;
  const registry = (room: string): boolean => room === 'connectors';
  const out: string[] = [];
  for (const f of files) {
    const room = roomOf(f.path);
    if (EXEMPT_ROOMS.has(room) || registry(room)) continue;
    for (const e of f.imports.filter(ours)) {
      const target = roomOf(e.to);
      const kind = kinds.find((k) => home(target, k));
      if (kind !== undefined && !home(room, kind)) out.push(`${f.path} imports ${e.to}: only ${kind}'s own folder, its mapping and the registry reach into it`);
    }
    for (const s of f.strings) {
      const kind = kinds.find((k) => s.text === k);
      if (kind !== undefined && !home(room, kind)) out.push(`${f.path}:${s.line} names the source "${kind}": read it from the source's module instead`);
    }
  }
  return out;
}
