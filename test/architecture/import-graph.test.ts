import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SOURCE_KINDS } from '../../connectors/kinds.ts';
import { factsOf, readFacts, tsFiles, type FileFacts } from './imports.ts';
import {
  analyzeImportsOnlyModelAndConfig, contractStandsAlone, roomCycles, roomOf, sourceBlindRooms, sourcesNamedOnlyAtHome, syncUsesNoStoreImplementation,
} from './rules.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const files = readFacts(ROOT, tsFiles(ROOT, ['src', 'connectors', 'mappings', 'test', 'bench', 'scripts', 'crm-apps']));

describe('the import graph of the tree', () => {
  it('reads the whole tree', () => {
    // A walk that found nothing would let every rule pass.
    expect(files.length).toBeGreaterThan(300);
    expect(files.some((f) => f.path === 'connectors/registry.ts')).toBe(true);
    expect(files.find((f) => f.path === 'src/sync/pipeline.ts')?.imports.length).toBeGreaterThan(5);
  });
  it('has no cycles between rooms', () => expect(roomCycles(files)).toEqual([]));
  it('src/analyze imports only src/model and src/config', () => expect(analyzeImportsOnlyModelAndConfig(files)).toEqual([]));
  it('src/sync imports no store implementation', () => expect(syncUsesNoStoreImplementation(files)).toEqual([]));
  it('src/contract imports no room', () => expect(contractStandsAlone(files)).toEqual([]));
  it('the engine, store, server, model and analysis import no connector or mapping', () => expect(sourceBlindRooms(files)).toEqual([]));
  it('names a source only in its own folder, its mapping and the registry', () => expect(sourcesNamedOnlyAtHome(files, SOURCE_KINDS)).toEqual([]));
});

/** The rules on hand-made files, so that each is seen to fail on what it forbids. */
describe('the room rules', () => {
  const file = (path: string, text: string): FileFacts => factsOf('/repo', path, text);

  it('places files in rooms', () => {
    expect(['src/sync/pipeline.ts', 'src/log.ts', 'connectors/registry.ts', 'connectors/hubspot/push.ts', 'mappings/hubspot.ts', 'test/x/y.ts'].map(roomOf))
      .toEqual(['src/sync', 'src/log', 'connectors', 'connectors/hubspot', 'mappings/hubspot', 'test']);
  });

  it('finds a cycle between rooms and names the imports in it', () => {
    const found = roomCycles([
      file('src/store/types.ts', "import type { X } from '../sync/types.ts';"),
      file('src/sync/types.ts', "import type { Store } from '../store/types.ts';"),
      file('src/cli/main.ts', "import { run } from '../sync/types.ts';"),
    ]);
    expect(found).toEqual(['rooms import each other: src/store, src/sync (src/store/types.ts -> src/sync/types.ts; src/sync/types.ts -> src/store/types.ts)']);
  });

  it('keeps the analysis to the model and the config', () => {
    expect(analyzeImportsOnlyModelAndConfig([file('src/analyze/a.ts', "import { m } from '../model/snapshot.ts';\nimport { s } from '../store/types.ts';\nimport { z } from 'zod';")]))
      .toEqual(['src/analyze/a.ts imports src/store/types.ts: the analysis reads only the model and the config']);
  });

  it('keeps the engine off store implementations', () => {
    expect(syncUsesNoStoreImplementation([file('src/sync/pull.ts', "import { K } from '../store/sqlite/mirror.ts';\nimport type { Store } from '../store/types.ts';")]))
      .toEqual(['src/sync/pull.ts imports src/store/sqlite/mirror.ts: the sync engine talks to the Store interface, never to an implementation']);
  });

  it('lets the contract import model types only', () => {
    expect(contractStandsAlone([file('src/contract/c.ts', "import type { A } from '../model/snapshot.ts';\nimport { parse } from '../model/snapshot.ts';\nimport { x } from '../../connectors/kinds.ts';")]))
      .toEqual([
        'src/contract/c.ts imports src/model/snapshot.ts: the contract imports no room (only `import type` from src/model)',
        'src/contract/c.ts imports connectors/kinds.ts: the contract imports no room (only `import type` from src/model)',
      ]);
  });

  it('finds a source named outside its home, by import and by string', () => {
    const found = sourcesNamedOnlyAtHome([
      file('src/console/install.ts', "import { x } from '../../connectors/hubspot/auth.ts';\nconst label = crm === 'salesforce' ? 'A' : 'B';"),
      file('connectors/salesforce/push.ts', "import { y } from '../../mappings/hubspot.ts';\nconst k = 'salesforce';"),
      file('connectors/registry.ts', "import { h } from './hubspot/module.ts';\nconst s = { salesforce: 1 };"),
      file('src/sandbox/x.ts', "const c = 'hubspot';"),
    ], ['salesforce', 'hubspot']);
    expect(found).toEqual([
      "src/console/install.ts imports connectors/hubspot/auth.ts: only hubspot's own folder, its mapping and the registry reach into it",
      'src/console/install.ts:2 names the source "salesforce": read it from the source\'s module instead',
      "connectors/salesforce/push.ts imports mappings/hubspot.ts: only hubspot's own folder, its mapping and the registry reach into it",
    ]);
  });
});
