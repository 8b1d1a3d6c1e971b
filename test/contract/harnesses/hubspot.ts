import { SOURCES, createConnector } from '../../../connectors/registry.ts';
import { silentLogger } from '../../../src/log.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { SANDBOX_FIELDS, startSandbox } from '../../../src/sandbox/index.ts';
import type { ContractHarness } from '../harness.ts';

/** The real HubSpot connector (@hubspot/api-client) against the simulator. */
export const hubSpotHarness: ContractHarness = {
  async start() {
    const seed = generateSampleOrg({ seed: 11, accounts: 40, asOf: '2026-06-30', contactsPerAccount: 1 });
    const sb = await startSandbox({ seed, hubspotLimits: { tenSecondly: 2_000, searchPerSecond: 20 } });
    const input = SOURCES.hubspot.connect.fromFlags({ token: sb.hubspot.privateAppToken, 'base-url': sb.hubspot.baseUrl });
    const connection = {
      id: 'hs-contract', crm: 'hubspot', ...input,
      options: {
        ...input.options,
        productFamilyProperty: SANDBOX_FIELDS.hubspot.productFamily, lineItemCostProperty: SANDBOX_FIELDS.hubspot.lineItemUnitCost,
        keyProperty: SANDBOX_FIELDS.hubspot.markedKey,
        // Small pages, so that every stream has several resume points.
        pageSizes: { list: 20, search: 20 },
        retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2, recordRetries: 1, tenSecondlyWaitMs: 1, secondlyWaitMs: 300, lockedWaitMs: 1 },
        limits: { tenSecondBudget: 1_000, searchPerSecond: 16 },
      },
    };
    const accountId = (seedId: string): string => {
      const id = sb.ids.hubspot.accounts[seedId];
      if (!id) throw new Error(`no seeded company ${seedId}`);
      return id;
    };
    return {
      seed, connection,
      connector: () => createConnector(connection, { tokens: input.tokens, clientSecret: input.clientSecret }, () => undefined, silentLogger),
      accountId,
      renameAccount: (seedId, name) => sb.hs.update('companies', accountId(seedId), { name }),
      addUnmappableRecord: () => ({ object: 'opportunities', id: sb.hs.create('deals', { dealname: 'No company', dealstage: 'appointmentscheduled', pipeline: 'default' }) }),
      exhaustApiAfter: (calls) => sb.setFaults({ hubspot: { dailyLimitAfter: calls } }),
      restoreApi: () => {
        sb.setFaults({});
        sb.resetDailyUsage();
      },
      close: () => sb.close(),
    };
  },
};
