import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCES, createConnector } from '../../../connectors/registry.ts';
import { recordsOf, writeSampleWorkbook } from '../../../connectors/spreadsheet/sample-input.ts';
import { silentLogger } from '../../../src/log.ts';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import type { ContractHarness } from '../harness.ts';

/**
 * The real spreadsheet connector on a workbook (.xlsx) written from the sample org, in a
 * temporary folder; edits rewrite the workbook as a person saving it would. A file has no
 * API allowance: the harness offers no `exhaustApiAfter`.
 */
export const spreadsheetHarness: ContractHarness = {
  async start() {
    const seed = generateSampleOrg({ seed: 11, accounts: 40, asOf: '2026-06-30', contactsPerAccount: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-contract-sheet-'));
    const path = join(dir, 'customers.xlsx');
    // What the workbook holds now: the seed, edited by the test.
    const held: Snapshot = structuredClone(seed);
    const save = (): Promise<void> => writeSampleWorkbook(path, () => recordsOf(held));
    await save();
    const input = SOURCES.spreadsheet.connect.fromFlags({ path });
    // Small pages, so that every stream has several resume points.
    const connection = { id: 'ss-contract', crm: 'spreadsheet', ...input, options: { ...input.options, currency: seed.currency, pageSize: 20 } };
    let pending: Promise<void> = Promise.resolve();
    const edit = (change: () => void): void => {
      change();
      pending = pending.then(save);
    };
    return {
      seed, connection,
      connector: () => {
        const c = createConnector(connection, { tokens: null, clientSecret: null }, () => undefined, silentLogger);
        // Edits are saved before the connector reads.
        const pull = c.pull.bind(c);
        c.pull = async function* (options) {
          await pending;
          yield* pull(options);
        };
        return c;
      },
      accountId: (seedId) => seedId,
      renameAccount: (seedId, name) => edit(() => {
        const a = held.accounts.find((x) => x.id === seedId);
        if (!a) throw new Error(`no seeded account ${seedId}`);
        a.name = name;
      }),
      addUnmappableRecord: () => {
        edit(() => held.opportunities.push({ id: 'OPP-NO-ACCOUNT', accountId: '', name: 'No account', status: 'open', amount: 10, closeDate: '2026-07-01', ownerId: null, lineItems: [] }));
        return { object: 'opportunities', id: 'OPP-NO-ACCOUNT' };
      },
      close: async () => {
        await pending;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
