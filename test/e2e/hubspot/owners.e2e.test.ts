import { afterEach, describe, expect, it } from 'vitest';
import type { PullPage } from '../../../src/contract/connector.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/index.ts';
import { analyze } from '../../../src/analyze/index.ts';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../src/config/analysis-config.ts';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { snapshotFromPages } from '../../support/pulled-snapshot.ts';

/**
 * HubSpot owners are people or queues (owners API `type`). A queue is not a user, and deals a
 * queue owns make no one's owner-dependence: three won deals of one family closed in the window,
 * all owned by one person, flag the family; the same deals owned by a queue do not.
 */

const AS_OF = '2026-06-30';
const won = (id: string, closeDate: string) => ({
  id, accountId: 'A1', name: `Deal ${id}`, status: 'won' as const, amount: 1000, closeDate, ownerId: 'U1', lineItems: [],
});
const SEED: Snapshot = {
  version: 1, source: 'file', currency: 'USD',
  users: [{ id: 'U1', name: 'Pat Person', active: true }],
  products: [],
  accounts: [{ id: 'A1', name: 'Solo Co', parentId: null, industry: null, employees: null, annualRevenue: null, country: null, ownerId: 'U1', markedKey: null, fields: {}, extra: {} }],
  contacts: [],
  opportunities: [won('O1', '2026-01-10'), won('O2', '2026-02-10'), won('O3', '2026-03-10')],
};

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function pulled(s: Sandbox): Promise<Snapshot> {
  const hs = new HubSpotConnector({ baseUrl: s.hubspot.baseUrl, auth: { kind: 'private-app', token: s.hubspot.privateAppToken }, retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
  const pages: PullPage[] = [];
  for await (const p of hs.pull({ mode: 'full', cursors: {} })) pages.push(p);
  const { snapshot, rejected } = snapshotFromPages(pages, 'hubspot', await hs.currency());
  expect(rejected).toEqual([]);
  return snapshot;
}

function risksOf(snapshot: Snapshot): string[] {
  return analyze({ snapshot, config: DEFAULT_ANALYSIS_CONFIG, asOf: AS_OF, rejected: [] }).families[0]?.risks ?? [];
}

describe('HubSpot end to end: owners of type QUEUE', () => {
  it('a person owning every closed deal is owner-dependence', async () => {
    sb = await startSandbox({ seed: SEED });
    const snapshot = await pulled(sb);
    expect(snapshot.users.map((u) => u.name)).toEqual(['Pat Person']);
    expect(risksOf(snapshot)).toContain('owner-dependence');
  });

  it('a queue owning them is no user and no owner-dependence', async () => {
    sb = await startSandbox({ seed: SEED });
    const queue = sb.hs.addQueue('Inbound deals');
    for (const dealId of Object.values(sb.ids.hubspot.opportunities)) sb.hs.update('deals', dealId, { hubspot_owner_id: queue });
    sb.hs.update('companies', sb.ids.hubspot.accounts['A1'] ?? '', { hubspot_owner_id: queue });

    // The simulator says what each owner is, as the owners API does.
    const res = await fetch(`${sb.url}/crm/v3/owners?limit=100`, { headers: { Authorization: `Bearer ${sb.hubspot.privateAppToken}` } });
    const owners = ((await res.json()) as { results: { id: string; type: string }[] }).results;
    expect(owners.map((o) => o.type).sort()).toEqual(['PERSON', 'QUEUE']);

    const snapshot = await pulled(sb);
    expect(snapshot.users.map((u) => u.name)).toEqual(['Pat Person']);
    expect(snapshot.users.some((u) => u.id === queue)).toBe(false);
    expect(snapshot.opportunities.map((o) => o.ownerId)).toEqual([null, null, null]);
    expect(snapshot.accounts[0]?.ownerId).toBeNull();
    expect(risksOf(snapshot)).not.toContain('owner-dependence');
  });
});
