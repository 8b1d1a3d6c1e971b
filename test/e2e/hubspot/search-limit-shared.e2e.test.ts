import { afterEach, describe, expect, it } from 'vitest';
import { SOURCES, createConnector } from '../../../connectors/registry.ts';
import { searchCursor } from '../../../connectors/hubspot/search-cursor.ts';
import type { Connector } from '../../../src/contract/connector.ts';
import { silentLogger } from '../../../src/log.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';

/**
 * HubSpot's search limit is per second and its answers carry no rate-limit headers, so a run
 * cannot learn from them what the run before it searched. Two connectors made one after the
 * other for the same connection (a plan, then its approval's run) share one search window in
 * the process: the second waits instead of meeting a 429.
 */
let sb: Sandbox | null = null;
afterEach(async () => {
  await sb?.close();
  sb = null;
});

async function probeProducts(connector: Connector): Promise<void> {
  const since = Date.now() - 60_000;
  const cursor = searchCursor({ since, sinceIds: [], archivedSince: since });
  for await (const page of connector.pull({ mode: 'incremental', cursors: { products: cursor }, objects: ['products'] })) void page;
}

describe('the HubSpot search window', () => {
  it('is shared by the connectors of one connection, so back-to-back runs stay under the per-second limit', async () => {
    sb = await startSandbox({ seed: generateSampleOrg({ seed: 3, accounts: 40, asOf: '2026-06-30' }), hubspotLimits: { searchPerSecond: 2 } });
    const input = SOURCES.hubspot.connect.fromFlags({ token: sb.hubspot.privateAppToken, 'base-url': sb.hubspot.baseUrl });
    const connection = {
      id: 'hs-search-window', crm: 'hubspot', ...input,
      // No retry of a secondly 429: a search past the limit fails the pull.
      options: { ...input.options, limits: { searchPerSecond: 2 }, retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } },
    };
    const make = (): Connector => createConnector(connection, { tokens: input.tokens, clientSecret: input.clientSecret }, () => undefined, silentLogger);
    await probeProducts(make());
    await probeProducts(make());
    await probeProducts(make());
    expect(sb.rateLimited()).toEqual({});
    expect(sb.calls()['hubspot.search']).toBe(3);

  });
});
