import { afterEach, describe, expect, it } from 'vitest';
import { startWorld as startHubspot, type World as HsWorld } from './hubspot/harness.ts';
import { sampleOrg, startWorld as startSalesforce, type World as SfWorld } from './salesforce/harness.ts';

/**
 * Answers that are not the API's JSON (a 200 cut short, an HTML maintenance page, JSON sent as
 * text/plain) are never taken as data: a run whose every answer is malformed fails with an
 * error naming what came back, and writes nothing; a run under some of them ends as a clean
 * run would, at the latest on the next run.
 */

const KINDS = ['truncated-json', 'html-page', 'wrong-content-type'] as const;
const worlds: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (worlds.length) await worlds.pop()?.close();
});

describe.each(KINDS)('a malformed answer (%s)', (kind) => {
  it('on every Salesforce call fails the run clearly, with nothing written', async () => {
    const w: SfWorld = await startSalesforce(sampleOrg(40));
    worlds.push(w);
    await (await w.connector()).provision();
    w.sb.setFaults({ salesforce: { malformedAnswer: 1, malformedKinds: [kind] }, seed: 3 });
    const r = await w.sync({ full: true });
    expect(r.run.status, r.run.error ?? '').toBe('failed');
    expect(r.run.counts.written).toBe(0);
    expect(r.run.error).toMatch(/^unexpected Salesforce answer to \w+ \(GET \/services\/data\/v[\d.]+\/[^)]+\): /);
  }, 120_000);

  it('on every HubSpot call fails the run clearly, with nothing written', async () => {
    const w: HsWorld = await startHubspot({ accounts: 40 });
    worlds.push(w);
    await w.provision();
    w.sb.setFaults({ hubspot: { malformedAnswer: 1, malformedKinds: [kind] }, seed: 3 });
    const r = await w.sync({ full: true });
    expect(r.run.status, r.run.error ?? '').toBe('failed');
    expect(r.run.counts.written).toBe(0);
    expect(r.run.error).toMatch(kind === 'truncated-json' ? /^HubSpot .+ failed after retries: network error: .*JSON/ : /^HubSpot .+: unexpected response shape$/);
  }, 120_000);
});
