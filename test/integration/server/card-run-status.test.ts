import { describe, expect, it } from 'vitest';
import { signV3 } from '../../../connectors/hubspot/webhook-signature.ts';
import { silentLogger } from '../../../src/log.ts';
import { startServer } from '../../../src/server/start.ts';
import { smallSnapshot } from '../sandbox/fixture.ts';
import { testConfig } from './harness.ts';
import { approveWaitingPlan, authorize, HS_REDIRECT, startReal } from './real-backend.ts';

/**
 * `GET /hubspot/card/run-status`, which the HubSpot app card calls through hubspot.fetch: HubSpot
 * signs it (v3) and adds the portal id; the answer is the portal's newest finished sync and the
 * time the next scheduled one should have finished by.
 */

const PUBLIC = 'https://kamflow.example.com';
const PORTAL = '24681357';

describe('HubSpot card run status', () => {
  it('answers a signed request with the newest finished run, and refuses bad signatures and unknown portals', async () => {
    const setup = await startReal({ seed: smallSnapshot(), settings: { firstSync: 'scheduled' } });
    const begun = await setup.backend.beginInstall({ crm: 'hubspot', params: {}, state: 'h', codeChallenge: 'x', redirectUri: HS_REDIRECT });
    if (!begun.ok) throw new Error('expected ok');
    const { code } = await authorize(begun.authorizeUrl);
    const done = await setup.backend.completeInstall({ crm: 'hubspot', params: {}, code, codeVerifier: 'v', redirectUri: HS_REDIRECT });
    if (!done.ok) throw new Error(done.message);
    const id = done.connectionId;
    const stored = await setup.store.getConnection(id);
    await setup.store.updateConnection(id, { options: { ...stored?.options, currency: 'USD' } });
    const server = await startServer({ backend: setup.backend, config: await testConfig({ publicUrl: PUBLIC }), logger: silentLogger }, { host: '127.0.0.1', port: 0 });
    try {
      const get = async (query: string, sign: { secret?: string; ts?: number; uri?: string } = {}) => {
        const path = `/hubspot/card/run-status${query}`;
        const ts = String(sign.ts ?? Date.now());
        const signature = signV3(sign.secret ?? setup.sandbox.hubspot.clientSecret, 'GET', sign.uri ?? `${PUBLIC}${path}`, '', ts);
        const res = await fetch(`${server.url}${path}`, { headers: { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': ts } });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const query = `?userId=7&userEmail=rep%40example.org&portalId=${PORTAL}&appId=1`;

      // Installed, never run: nothing to claim.
      expect(await get(query)).toEqual({ status: 200, body: { lastRunFinishedAt: null, nextRunDueBy: null } });

      expect((await setup.backend.startRun(id, { kind: 'sync' })).ok).toBe(true);
      await setup.backend.runs.idle();
      // The first plan waits for approval; the card claims the write run that follows it.
      await approveWaitingPlan(setup, id);
      const run = (await setup.store.listRuns({ connectionId: id, limit: 1 }))[0];
      expect(run?.status).toBe('succeeded');
      const finished = run?.finishedAt ?? '';
      // The install's default schedule, 0 2 * * * UTC: the first 02:00 after the run, plus an hour.
      const tick = new Date(finished);
      tick.setUTCHours(2, 0, 0, 0);
      if (tick.getTime() <= Date.parse(finished)) tick.setUTCDate(tick.getUTCDate() + 1);
      const ok = await get(query);
      expect(ok).toEqual({ status: 200, body: { lastRunFinishedAt: new Date(finished).toISOString(), nextRunDueBy: new Date(tick.getTime() + 3_600_000).toISOString() } });

      // A dry run after it changes nothing: the card's values are still those of the last real run.
      expect((await setup.backend.startRun(id, { kind: 'dry-run' })).ok).toBe(true);
      await setup.backend.runs.idle();
      expect(await get(query)).toEqual(ok);

      expect((await get(query, { secret: 'not-the-secret' })).status).toBe(401);
      expect((await get(query, { ts: Date.now() - 10 * 60_000 })).status).toBe(401);
      // Signed for another query than the one sent.
      expect((await get(query, { uri: `${PUBLIC}/hubspot/card/run-status?portalId=999` })).status).toBe(401);
      expect(await get('?portalId=999&userId=7')).toMatchObject({ status: 404, body: { error: 'unknown-account' } });
      expect((await get('?userId=7')).status).toBe(400);
      const unsigned = await fetch(`${server.url}/hubspot/card/run-status${query}`);
      expect(unsigned.status).toBe(401);
      expect((await fetch(`${server.url}/salesforce/card/run-status${query}`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
