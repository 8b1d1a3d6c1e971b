import { SOURCES, createConnector } from '../../../connectors/registry.ts';
import { silentLogger } from '../../../src/log.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { SANDBOX_FIELDS, startSandbox } from '../../../src/sandbox/index.ts';
import type { ContractHarness } from '../harness.ts';

/** The real Salesforce connector (jsforce) against the simulator. */
export const salesforceHarness: ContractHarness = {
  async start() {
    const seed = generateSampleOrg({ seed: 11, accounts: 40, asOf: '2026-06-30', contactsPerAccount: 1 });
    const sb = await startSandbox({ seed });
    const input = SOURCES.salesforce.connect.fromFlags({
      'instance-url': sb.salesforce.instanceUrl, 'access-token': sb.salesforce.accessToken, 'refresh-token': sb.salesforce.refreshToken,
      'client-id': sb.salesforce.clientId, 'client-secret': sb.salesforce.clientSecret, 'login-url': sb.salesforce.loginUrl,
    });
    const connection = {
      id: 'sf-contract', crm: 'salesforce', ...input,
      options: {
        ...input.options,
        markedKeyField: SANDBOX_FIELDS.salesforce.markedKey, costField: SANDBOX_FIELDS.salesforce.lineItemCost,
        offeringFamilyField: SANDBOX_FIELDS.salesforce.productFamily, pageSize: 200,
        retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2, recordRetries: 1 }, bulkPoll: { intervalMs: 5, timeoutMs: 10_000 },
      },
    };
    const accountId = (seedId: string): string => {
      const id = sb.ids.salesforce.accounts[seedId];
      if (!id) throw new Error(`no seeded account ${seedId}`);
      return id;
    };
    return {
      seed, connection,
      connector: () => createConnector({ ...connection, options: connection.options }, { tokens: input.tokens, clientSecret: input.clientSecret }, () => undefined, silentLogger),
      accountId,
      renameAccount: (seedId, name) => sb.sf.update('Account', accountId(seedId), { Name: name }),
      addUnmappableRecord: () => ({
        object: 'opportunities',
        id: sb.sf.insert('Opportunity', { Name: 'No account', StageName: 'Prospecting', CloseDate: '2026-07-31' }),
      }),
      exhaustApiAfter: (calls) => sb.setFaults({ salesforce: { dailyLimitAfter: calls } }),
      restoreApi: () => {
        sb.setFaults({});
        sb.resetDailyUsage();
      },
      close: () => sb.close(),
    };
  },
};
