import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createConnector, sourceProfile } from '../../../connectors/registry.ts';
import { readOutputValues } from '../../../connectors/spreadsheet/output.ts';
import { recordsOf, writeSampleWorkbook } from '../../../connectors/spreadsheet/sample-input.ts';
import type { CliIo } from '../../../src/cli/command.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { provisionCommand } from '../../../src/cli/commands/provision.ts';
import { syncCommand } from '../../../src/cli/commands/sync.ts';
import type { SyncCommandDeps } from '../../../src/cli/sync-support.ts';
import { silentLogger } from '../../../src/log.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';

/** The commands a user types for a workbook, in order: connect, provision, sync --dry-run, sync, sync. */

const deps: SyncCommandDeps = {
  openStore: (env) => openStoreFromEnv(env),
  connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens),
  profileOf: sourceProfile, analyze: analyzeWithStoredConfig, logger: silentLogger,
};
const commands = { connect: connectCommand({ openStore: deps.openStore }), provision: provisionCommand(deps), sync: syncCommand(deps) };

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kamflow-sheet-cli-'));
  // No encryption key: a spreadsheet connection has no secret to seal.
  env = { KAMFLOW_DB_PATH: join(dir, 'kamflow.db') };
  await writeSampleWorkbook(join(dir, 'customers.xlsx'), () => recordsOf(generateSampleOrg({ seed: 2, accounts: 40, asOf: '2026-06-30' })));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function kamflow(name: keyof typeof commands, ...argv: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const io: CliIo = { stdout, stderr: new PassThrough(), env };
  return { code: await commands[name].run(argv, io), out };
}

describe('kamflow with a spreadsheet', () => {
  it('connects, provisions, shows a dry run, syncs, and writes nothing on an unchanged rerun', async () => {
    const mapping = join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify({ currency: 'EUR', status: { won: ['Closed Won'], lost: ['Closed Lost'] } }));
    const c = await kamflow('connect', '--crm', 'spreadsheet', '--path', join(dir, 'customers.xlsx'), '--mapping', mapping, '--id', 'sheet');
    expect(c.code).toBe(0);
    expect(c.out).toBe(`connection sheet: spreadsheet at file://${join(dir, 'customers.xlsx')}\nnext: kamflow provision --connection sheet\n`);
    const p = await kamflow('provision', '--connection', 'sheet');
    expect(p.code).toBe(0);
    expect(p.out).toContain(`output customers.kamflow.xlsx created: ${join(dir, 'customers.kamflow.xlsx')}`);
    const dry = await kamflow('sync', '--connection', 'sheet', '--dry-run', '--as-of', '2026-06-30');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/accounts: 40; to change: 40 \(\d+ fields\)/);
    const before = readFileSync(join(dir, 'customers.kamflow.xlsx'));
    const s1 = await kamflow('sync', '--connection', 'sheet', '--as-of', '2026-06-30', '--confirm');
    expect(s1.out).toContain('written: 40; failed: 0');
    expect(readFileSync(join(dir, 'customers.kamflow.xlsx')).equals(before)).toBe(false);
    const s2 = await kamflow('sync', '--connection', 'sheet', '--as-of', '2026-06-30');
    expect(s2.out).toContain('to change: 0 (0 fields); unchanged: 40');
  });

  it("runs the README's example export with its mapping as written there", async () => {
    const example = fileURLToPath(new URL('../../../examples/spreadsheet/', import.meta.url));
    const output = join(dir, 'export.kamflow.xlsx');
    const c = await kamflow('connect', '--crm', 'spreadsheet', '--path', join(example, 'export'), '--mapping', join(example, 'mapping.json'), '--output', output, '--id', 'export');
    expect(c.code).toBe(0);
    expect((await kamflow('provision', '--connection', 'export')).code).toBe(0);
    const s1 = await kamflow('sync', '--connection', 'export', '--as-of', '2026-11-30', '--confirm');
    expect(s1.out).toContain('pulled: users 0, products 4, accounts 6, contacts 6, opportunities 8, lineItems 12');
    expect(s1.out).toContain('written: 6; failed: 0');
    // Won in the 12 months to 2026-11-30: Brenner 120,000 + 64,500 + 18,000 (read with decimal
    // commas and dd.mm.yyyy dates), Hofmann 22,750.50, Lindqvist 31,200; Meyer's win is older.
    // Of 256,450.50: Brenner 78.96%, Lindqvist 12.17%, Hofmann 8.87%.
    const values = await readOutputValues(output);
    const of = (id: string) => ({ tier: values?.get(id)?.['kam_tier'], share: values?.get(id)?.['kam_revenue_share'], parent: values?.get(id)?.['kam_ultimate_parent'] });
    expect(['K-1000', 'K-1001', 'K-1002', 'K-2000', 'K-3000', 'K-4000'].map(of)).toEqual([
      { tier: 'Key', share: 78.96, parent: 'K-1000 Brenner Holding AG' },
      { tier: 'Key', share: 78.96, parent: 'K-1000 Brenner Holding AG' },
      // Its parent is named, not numbered: "Brenner Holding AG".
      { tier: 'Key', share: 78.96, parent: 'K-1000 Brenner Holding AG' },
      { tier: 'Maintain', share: 8.87, parent: 'K-2000 Hofmann Logistik GmbH' },
      { tier: 'Key', share: 12.17, parent: 'K-3000 Lindqvist Foods AB' },
      { tier: 'Standard', share: 0, parent: 'K-4000 Meyer & Söhne KG' },
    ]);
    const s2 = await kamflow('sync', '--connection', 'export', '--as-of', '2026-11-30');
    expect(s2.out).toContain('to change: 0 (0 fields); unchanged: 6');
  });

  it('refuses a bad --path, --mapping or --output with a usage error naming it', async () => {
    await expect(kamflow('connect', '--crm', 'spreadsheet', '--path', join(dir, 'nope.xlsx'))).rejects.toThrow(/--path .*nope\.xlsx: no such file or folder/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ dateFormat: 'yyyy.dd.mm' }));
    await expect(kamflow('connect', '--crm', 'spreadsheet', '--path', join(dir, 'customers.xlsx'), '--mapping', bad)).rejects.toThrow(/--mapping .*bad\.json: dateFormat/);
    const nowhere = join(dir, 'no-such-folder', 'out.xlsx');
    await expect(kamflow('connect', '--crm', 'spreadsheet', '--path', join(dir, 'customers.xlsx'), '--output', nowhere))
      .rejects.toThrow(`--output: output ${nowhere}: the folder ${join(dir, 'no-such-folder')} does not exist`);
    await expect(kamflow('connect', '--crm', 'spreadsheet', '--path', join(dir, 'customers.xlsx'), '--output', join(dir, 'customers.xlsx')))
      .rejects.toThrow('Kamflow never overwrites its input');
  });
});
