import { signV3 } from '../../../connectors/hubspot/webhook-signature.ts';
import { describe, expect, it } from 'vitest';
import { smallSnapshot } from '../sandbox/fixture.ts';
import { ADMIN_HASH_SETTING } from '../../../src/console/backend.ts';
import { approveWaitingPlan, authorize, HS_REDIRECT, installSalesforce, startReal } from './real-backend.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';

describe('KamflowBackend config editor', () => {
  it('shows the saved config and schedule as form fields', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    const form = await setup.backend.getConfigForm(id);
    const value = (p: string): string | undefined => form?.fields.find((f) => f.path === p)?.value;
    expect(form?.version).toBe(1);
    expect(value('criteria.revenueShare.threshold')).toBe('0.1');
    expect(value('criteria.revenueShare.sufficient')).toBe('true');
    expect(value('criteria.abcClass.threshold')).toBe('A');
    expect(value('tiers.key')).toBe('70');
    expect(value('schedule.cron')).toBe('0 2 * * *');
    expect(value('schedule.timezone')).toBe('UTC');
    expect(await setup.backend.getConfigForm('nope')).toBeNull();
  });

  it('reports each bad value on its own path, with the analysis schema messages', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    const result = await setup.backend.previewConfig(id, {
      'criteria.revenueShare.threshold': '2',
      'criteria.growth.weight': 'lots',
      'tiers.key': '30',
      'tiers.develop': '50',
      'schedule.cron': 'every day',
      'schedule.timezone': 'Mars/Olympus',
      'criteria.bogus.weight': '1',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    const at = (p: string): string[] => errors.filter((e) => e.path === p).map((e) => e.message);
    expect(at('criteria.revenueShare.threshold')).toEqual(['threshold must be within 0..1']);
    expect(at('criteria.growth.weight')).toEqual(['must be a number']);
    expect(at('tiers.develop')).toEqual(['must not exceed tiers.key']);
    expect(at('schedule.cron')[0]).toMatch(/^invalid cron expression "every day"/);
    expect(at('schedule.timezone')).toEqual(['unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin)']);
    expect(at('criteria.bogus.weight')).toEqual(['unknown setting']);
    expect(errors).toHaveLength(6);
  });

  it('previews which families gain or lose Key against the mirror, saving nothing', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    const families = await setup.backend.listFamilies(id);
    // Acme holds all revenue of the last 12 months: 100% share, a sufficient criterion, so Key.
    expect(families?.map((f) => [f.name, f.tier])).toContainEqual(['Acme Holding', 'Key']);
    const preview = await setup.backend.previewConfig(id, { 'criteria.revenueShare.sufficient': 'false', 'tiers.key': '100', 'tiers.develop': '0' });
    if (!preview.ok) throw new Error(JSON.stringify(preview.errors));
    expect(preview.gainingKey).toEqual([]);
    expect(preview.losingKey.map((c) => [c.name, c.before])).toEqual([['Acme Holding', 'Key']]);
    expect(preview.losingKey[0]?.after).not.toBe('Key');
    expect(preview.asOf).toBe(new Date().toISOString().slice(0, 10));
    // Nothing saved: the form and the family list are as before.
    expect((await setup.backend.getConfigForm(id))?.version).toBe(1);
    expect(await setup.backend.listFamilies(id)).toEqual(families);
  });

  it('saves a valid config with a new version, reschedules, and refuses a stale version', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    const saved = await setup.backend.saveConfig(id, { 'criteria.revenueShare.threshold': '0.25', 'schedule.cron': '30 4 * * 1', 'schedule.timezone': 'Europe/Berlin' }, 1);
    expect(saved).toEqual({ ok: true, version: 2 });
    const stored = await setup.store.getConnection(id);
    expect(stored).toMatchObject({ schedule: '30 4 * * 1', timezone: 'Europe/Berlin' });
    expect(stored?.analysisConfig).toEqual({ criteria: { revenueShare: { threshold: 0.25 } }, version: 2 });
    expect(setup.tasks.created.map((t) => [t.expression, t.timezone, t.stopped])).toEqual([['0 2 * * *', 'UTC', true], ['30 4 * * 1', 'Europe/Berlin', false]]);

    const stale = await setup.backend.saveConfig(id, { 'criteria.revenueShare.threshold': '0.3' }, 1);
    expect(stale).toEqual({ ok: false, errors: [{ path: '', message: expect.stringContaining('now version 2') }] });
    const invalid = await setup.backend.saveConfig(id, { 'criteria.revenueShare.threshold': '-1' }, 2);
    expect(invalid.ok).toBe(false);
    expect((await setup.store.getConnection(id))?.analysisConfig).toEqual({ criteria: { revenueShare: { threshold: 0.25 } }, version: 2 });

    const cleared = await setup.backend.saveConfig(id, { 'schedule.cron': '' }, 2);
    expect(cleared).toEqual({ ok: true, version: 3 });
    expect((await setup.store.getConnection(id))?.schedule).toBeNull();
    expect((await setup.backend.getConnection(id))?.nextRun).toBeNull();
  });
});

describe('KamflowBackend runs and families', () => {
  it('runs a dry run and a rollback in the background, one at a time', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    // The install's first sync planned and waited; the approved write is the run to roll back.
    const [first, planned] = await setup.backend.listRuns(id, 5);
    if (!first || !planned) throw new Error('no first runs');
    expect(await setup.backend.getRun(id, first.id)).toMatchObject({ canRollback: true, rollbackOf: null, status: 'succeeded' });
    const plannedDetail = await setup.backend.getRun(id, planned.id);
    expect(plannedDetail).toMatchObject({ canRollback: false, written: 0 });
    // Orphan Co's parent is not in the org: the analysis says so, tied to the record.
    expect(plannedDetail?.recordErrors.map((e) => e.kind)).toEqual(['analyze: missing-parent']);

    const dry = await setup.backend.startRun(id, { kind: 'dry-run' });
    expect(dry.ok).toBe(true);
    expect(await setup.backend.startRun(id, { kind: 'sync' })).toMatchObject({ ok: false, reason: 'busy' });
    await setup.backend.runs.idle();
    if (!dry.ok) throw new Error('expected ok');
    expect(await setup.backend.getRun(id, dry.runId)).toMatchObject({ kind: 'dry-run', status: 'succeeded', written: 0, canRollback: false, trigger: 'console' });

    expect(await setup.backend.startRun(id, { kind: 'rollback', runId: dry.runId })).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(await setup.backend.startRun(id, { kind: 'rollback', runId: 'run-nope' })).toMatchObject({ ok: false, reason: 'not-found' });
    const rb = await setup.backend.startRun(id, { kind: 'rollback', runId: first.id });
    if (!rb.ok) throw new Error(rb.message);
    await setup.backend.runs.idle();
    const rollback = await setup.backend.getRun(id, rb.runId);
    expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', rollbackOf: first.id, written: first.written });
    expect((await setup.backend.getRun(id, first.id))?.canRollback).toBe(false);
    expect(await setup.backend.getRun('other', first.id)).toBeNull();
  });

  it('refuses a run while another process holds the connection lock', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    await setup.store.acquireLock(id, 'cli-run', new Date(), 60_000);
    const result = await setup.backend.startRun(id, { kind: 'sync' });
    expect(result).toMatchObject({ ok: false, reason: 'busy', message: expect.stringContaining('Another process') });
    // Still only the install's plan and its approved write: the refused run left no record.
    expect(await setup.store.listRuns({ connectionId: id })).toHaveLength(2);
  });

  it('shows a family with its entities in hierarchy order, contacts counted per entity', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    const families = await setup.backend.listFamilies(id);
    const acme = families?.find((f) => f.name === 'Acme Holding');
    if (!acme) throw new Error('no Acme family');
    const view = await setup.backend.getFamily(id, acme.id);
    // Acme Holding > Acme West > Acme West Lab's; Carol (a1) and Dan (a2) are active. Dan is
    // referenceable in the seed, but no referenceable field is configured for the connector.
    expect(view?.entities.map((e) => [e.name, e.depth, e.activeContacts, e.referenceableContacts])).toEqual([
      ['Acme Holding', 0, 1, 0], ['Acme West', 1, 1, 0], ["Acme West Lab's", 2, 0, 0],
    ]);
    expect(view?.entities[0]?.coverage).toMatch(/^1 contact/);
    expect(view?.family.tier).toBe('Key');
    expect(view?.family.matrix.cellCount).toBeGreaterThan(0);
    expect(view?.currency).toBe('USD');
    expect(await setup.backend.getFamily(id, 'no-such-family')).toBeNull();
  });

  it('recomputes the families after a run changed the mirror, and after a saved config', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    const before = await setup.backend.listFamilies(id);
    expect(before?.map((f) => f.name)).toContain('Acme Holding');
    const acmeId = setup.sandbox.ids.salesforce.accounts['a1'];
    if (!acmeId) throw new Error('no Acme id');
    setup.sandbox.sf.update('Account', acmeId, { Name: 'Acme Group' });
    // Cached until a run changes the mirror.
    expect((await setup.backend.listFamilies(id))?.map((f) => f.name)).toContain('Acme Holding');
    expect((await setup.backend.startRun(id, { kind: 'sync' })).ok).toBe(true);
    await setup.backend.runs.idle();
    const renamed = await setup.backend.listFamilies(id);
    expect(renamed?.map((f) => f.name)).toContain('Acme Group');
    expect(renamed?.find((f) => f.name === 'Acme Group')?.tier).toBe('Key');
    // Key only from a score of 100 and no sufficient criterion: Acme is no longer Key.
    expect(await setup.backend.saveConfig(id, { 'criteria.revenueShare.sufficient': 'false', 'tiers.key': '100', 'tiers.develop': '0' }, 1)).toEqual({ ok: true, version: 2 });
    expect((await setup.backend.listFamilies(id))?.find((f) => f.name === 'Acme Group')?.tier).not.toBe('Key');
  });

  it('has no families before the first pull', async () => {
    const setup = await startReal({ seed: smallSnapshot(), settings: { firstSync: 'scheduled' } });
    const id = await installSalesforce(setup);
    expect(await setup.backend.listFamilies(id)).toBeNull();
    const preview = await setup.backend.previewConfig(id, { 'tiers.key': '60' });
    expect(preview).toEqual({ ok: true, asOf: null, gainingKey: [], losingKey: [], otherChanges: 0 });
  });
});

describe('KamflowBackend webhooks, admin password, readiness', () => {
  it('marks HubSpot changes for the portal; a marked deletion leaves the mirror at the next sync', async () => {
    const setup = await startReal({ seed: smallSnapshot(), settings: { firstSync: 'scheduled' } });
    const begun = await setup.backend.beginInstall({ crm: 'hubspot', params: {}, state: 'h', codeChallenge: 'x', redirectUri: HS_REDIRECT });
    if (!begun.ok) throw new Error('expected ok');
    const { code } = await authorize(begun.authorizeUrl);
    const done = await setup.backend.completeInstall({ crm: 'hubspot', params: {}, code, codeVerifier: 'v', redirectUri: HS_REDIRECT });
    if (!done.ok) throw new Error(done.message);
    const id = done.connectionId;
    // The simulator does not serve GET /account-info/v3/details, where the connector reads the
    // portal currency; the connector's currency option stands in for it.
    const stored = await setup.store.getConnection(id);
    // No look-back, so that the third pull below reads only what changed after the second.
    await setup.store.updateConnection(id, { options: { ...stored?.options, currency: 'USD', searchLookbackMs: 0 } });
    expect((await setup.backend.startRun(id, { kind: 'sync' })).ok).toBe(true);
    await setup.backend.runs.idle();
    // The portal's first plan waits for the admin; approving it writes it.
    await approveWaitingPlan(setup, id);
    // The second run re-reads the accounts the first one wrote, and writes nothing.
    expect((await setup.backend.startRun(id, { kind: 'sync' })).ok).toBe(true);
    await setup.backend.runs.idle();
    const firstRun = (await setup.backend.listRuns(id, 5))[0];
    expect(firstRun?.error ?? null).toBeNull();
    expect(firstRun?.status).toBe('succeeded');
    const globex = setup.sandbox.ids.hubspot.accounts['a4'];
    if (!globex) throw new Error('no Globex id');
    expect((await loadMirror(setup.store, id)).accounts.some((a) => (a as { id: string }).id === globex)).toBe(true);

    const hook = (events: unknown[], ts = String(Date.now())) => {
      const rawBody = JSON.stringify(events);
      const uri = 'https://kamflow.example.com/webhooks/hubspot';
      return setup.backend.receiveWebhook({
        source: 'hubspot', method: 'POST', uri, rawBody,
        headers: { 'x-hubspot-signature-v3': signV3(setup.sandbox.hubspot.clientSecret, 'POST', uri, rawBody, ts), 'x-hubspot-request-timestamp': ts },
      });
    };
    expect(await hook([{ subscriptionType: 'company.deletion', portalId: 999, objectId: Number(globex) }]))
      .toEqual({ status: 200, body: { marked: 0, ignored: 0, unknownAccounts: 1 } });
    const marked = await hook([
      { subscriptionType: 'company.deletion', portalId: 24681357, objectId: Number(globex) },
      { subscriptionType: 'contact.propertyChange', portalId: 24681357, objectId: 123 },
    ]);
    expect(marked).toEqual({ status: 200, body: { marked: 2, ignored: 0, unknownAccounts: 0 } });
    expect((await setup.store.listChangeMarks(id)).map((m) => [m.object, m.id, m.deleted])).toEqual([['accounts', globex, true], ['contacts', '123', false]]);
    // The same correctly signed delivery sent again within its five minutes changes nothing.
    const again = [{ subscriptionType: 'contact.propertyChange', portalId: 24681357, objectId: 456 }];
    const ts = String(Date.now());
    expect(await hook(again, ts)).toEqual({ status: 200, body: { marked: 1, ignored: 0, unknownAccounts: 0 } });
    expect(await hook(again, ts)).toEqual({ status: 200, body: { marked: 0, ignored: 0, unknownAccounts: 0, replayed: true } });
    expect((await setup.store.listChangeMarks(id)).filter((m) => m.id === '456')).toHaveLength(1);
    await setup.store.clearChangeMarks(id, (await setup.store.listChangeMarks(id)).filter((m) => m.id === '456'));

    // The simulator still has Globex, unchanged since the second pull: only the mark can remove it.
    const run = await setup.backend.startRun(id, { kind: 'sync' });
    expect(run.ok).toBe(true);
    await setup.backend.runs.idle();
    expect((await loadMirror(setup.store, id)).accounts.some((a) => (a as { id: string }).id === globex)).toBe(false);
    expect(await setup.store.listChangeMarks(id)).toEqual([]);
  });

  it('keeps a deletion mark over a later change mark, and a mark made again after a run started', async () => {
    const setup = await startReal({ seed: smallSnapshot(), settings: { firstSync: 'scheduled' } });
    const id = await installSalesforce(setup);
    const t1 = '2026-11-22T10:00:00.000Z';
    const t2 = '2026-11-22T10:05:00.000Z';
    await setup.store.markChanged(id, [{ object: 'accounts', id: 'x', deleted: true, markedAt: t1 }, { object: 'contacts', id: 'y', deleted: false, markedAt: t1 }]);
    const taken = await setup.store.listChangeMarks(id);
    await setup.store.markChanged(id, [{ object: 'accounts', id: 'x', deleted: false, markedAt: t2 }, { object: 'contacts', id: 'y', deleted: false, markedAt: t2 }]);
    // The marks read at t1 are cleared; both were marked again at t2, so both stay.
    await setup.store.clearChangeMarks(id, taken);
    expect((await setup.store.listChangeMarks(id)).map((m) => [m.object, m.id, m.deleted, m.markedAt])).toEqual([
      ['accounts', 'x', true, t2], ['contacts', 'y', false, t2],
    ]);
    await setup.store.clearChangeMarks(id, await setup.store.listChangeMarks(id));
    expect(await setup.store.listChangeMarks(id)).toEqual([]);
  });

  it('keeps the first-run admin password hash in the store', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    expect(await setup.backend.getAdminPasswordHash()).toBeNull();
    await setup.backend.setAdminPasswordHash('scrypt$example');
    expect(await setup.backend.getAdminPasswordHash()).toBe('scrypt$example');
    expect(await setup.store.getSetting(ADMIN_HASH_SETTING)).toBe('scrypt$example');
  });

  it('is ready while the store answers, and says which check failed otherwise', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    expect(await setup.backend.readiness()).toEqual({ ok: true, checks: [{ name: 'store', ok: true }] });
    await setup.store.close();
    expect(await setup.backend.readiness()).toEqual({ ok: false, checks: [{ name: 'store', ok: false }] });
  });
});
