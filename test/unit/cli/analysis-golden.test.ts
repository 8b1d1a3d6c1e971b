import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../../src/cli/commands/analyze.ts';
import { runCli } from '../../../src/cli/run.ts';
import { SAMPLE_FIXTURE_OPTIONS, SAMPLE_FIXTURE_PATH } from '../../fixtures/sample-org.ts';
import { fakeIo } from './fake-io.ts';

/**
 * test/fixtures/sample-analysis.json is the output of `kamflow analyze` on the sample fixture
 * from before the snapshot was streamed and the matrix went into columns, with only its cell
 * lists converted to the columns (scripts/compare-analysis.ts --convert), then regenerated
 * once when the reasons became plain sentences and kam_why was added (only kam_reasons,
 * kam_why and families[].reasons changed), and once when sister suggestions joined the peer
 * suggestions (definitions version 2). sample-analysis-peers-only.json is the result before
 * that, with only each suggestion's `rule` added: the peer-only definition must still give it
 * byte for byte. Both were regenerated when each family got its `quality` (the sample's data has
 * no issue, so no tier changed and that key is the only difference). Every other byte must stay the same: a change of any value the analysis
 * computes fails here.
 */
describe('kamflow analyze --json on the sample fixture', () => {
  it('writes exactly the pinned result', async () => {
    const f = fakeIo();
    const code = await runCli(['analyze', '--snapshot', fileURLToPath(SAMPLE_FIXTURE_PATH), '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf, '--json', '-'], f.io, [analyzeCommand]);
    expect(code).toBe(0);
    expect(f.stdout()).toBe(readFileSync(new URL('../../fixtures/sample-analysis.json', import.meta.url), 'utf8'));
  });

  it('gives the earlier result byte for byte with sister suggestions turned off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-golden-'));
    try {
      const config = join(dir, 'peers-only.json');
      writeFileSync(config, JSON.stringify({ suggestions: { sisters: { enabled: false } } }));
      const f = fakeIo();
      const code = await runCli(['analyze', '--snapshot', fileURLToPath(SAMPLE_FIXTURE_PATH), '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf, '--config', config, '--json', '-'], f.io, [analyzeCommand]);
      expect(code).toBe(0);
      expect(f.stdout()).toBe(readFileSync(new URL('../../fixtures/sample-analysis-peers-only.json', import.meta.url), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the same values indented with --pretty, one matrix row a line', async () => {
    const f = fakeIo();
    await runCli(['analyze', '--snapshot', fileURLToPath(SAMPLE_FIXTURE_PATH), '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf, '--json', '-', '--pretty'], f.io, [analyzeCommand]);
    const pinned = readFileSync(new URL('../../fixtures/sample-analysis.json', import.meta.url), 'utf8');
    expect(JSON.parse(f.stdout())).toEqual(JSON.parse(pinned));
    expect(f.stdout()).toContain('\n  "families": [\n    {\n      "id": "ACC-000001",');
    expect(f.stdout()).toMatch(/\n {8}"states": \[\n {10}"[AOLX.]{8}"/);
    expect(f.stdout()).toMatch(/\n {10}\[0,0,0,0,0,29067\.54,34970\.63,71556\.81\],?\n/);
  });
});
