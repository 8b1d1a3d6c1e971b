import { describe, expect, it } from 'vitest';
import { startTest } from './harness.ts';

const VALID = {
  'cfg.criteria.revenueShare.threshold': '0.15',
  'cfg.criteria.revenueShare.weight': '25',
  'cfg.criteria.growth.enabled': 'false',
  'cfg.schedule.cron': '0 3 * * *',
};

async function loggedIn() {
  const h = await startTest();
  const c = h.client();
  await c.login();
  return { h, c };
}

describe('connections and health', () => {
  it('lists connections with last run, next run, API use and errors, escaped', async () => {
    const { h, c } = await loggedIn();
    h.backend.connections[0]!.recentErrors = ['REQUEST_LIMIT_EXCEEDED <again>'];
    const { res, text } = await c.page('/');
    expect(res.status).toBe(200);
    expect(text).toContain('<a href="/connections/c1">Acme &lt;Prod&gt;</a>');
    expect(text).toContain('partial');
    expect(text).toContain('2026-07-01 02:00:00Z');
    expect(text).toContain('1,200 / 15,000 per 24h (8%)');
    expect(text).toContain('REQUEST_LIMIT_EXCEEDED &lt;again&gt;');
    expect(text).toContain('action="/connect/salesforce"');
    expect(text).toContain('href="/connect/hubspot"');
  });

  it('shows one connection with its families, runs and run buttons', async () => {
    const { c } = await loggedIn();
    const { text } = await c.page('/connections/c1');
    expect(text).toContain('href="/connections/c1/families/a1">Acme Holding</a>');
    expect(text).toContain('href="/connections/c1/runs/r1">r1</a>');
    expect(text).toMatch(/<input type="hidden" name="kind" value="sync"><button type="submit">Sync now/);
    expect(text).toMatch(/name="kind" value="dry-run"><button type="submit" class="secondary">Dry run/);
  });

  it('reloads itself while a run is going, and only then', async () => {
    const { h, c } = await loggedIn();
    expect((await c.page('/connections/c1')).text).not.toContain('http-equiv="refresh"');
    h.backend.connections[0]!.status = 'running';
    h.backend.connections[0]!.lastRun = { id: 'r9', kind: 'dry-run', status: 'running', finishedAt: null };
    const { text } = await c.page('/connections/c1');
    expect(text).toContain('<meta http-equiv="refresh" content="5">');
    expect(text).toContain('A run is going (<a href="/connections/c1/runs/r9">dry-run r9</a>): this page reloads every 5 seconds');
  });

  it('answers 404 for an unknown connection and 400 naming a malformed id', async () => {
    const { c } = await loggedIn();
    expect((await c.get('/connections/nope')).status).toBe(404);
    const bad = await c.get('/connections/a%20b');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('params.id');
  });
});

describe('criteria and schedule editor', () => {
  it('shows the saved values as a form with a CSRF token and the version', async () => {
    const { c } = await loggedIn();
    const { text } = await c.page('/connections/c1/config');
    expect(text).toContain('name="cfg.criteria.revenueShare.threshold" value="0.1"');
    expect(text).toContain('name="version" value="3"');
    expect(text).toContain('formaction="/connections/c1/config/preview"');
    expect(text).toMatch(/<option value="true" selected>Yes<\/option>/);
  });

  it('shows validation errors next to their fields and keeps what was typed', async () => {
    const { h, c } = await loggedIn();
    await c.page('/connections/c1/config');
    const res = await c.post('/connections/c1/config', {
      version: '3', ...VALID, 'cfg.criteria.revenueShare.threshold': '1.5', 'cfg.schedule.cron': 'every day',
    });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).toContain('Nothing was saved: 2 value(s) need fixing.');
    expect(text).toMatch(/data-path="criteria\.revenueShare\.threshold">[\s\S]*?value="1\.5" inputmode="decimal" aria-invalid="true" aria-describedby="cfg-criteria-revenueShare-threshold-error">[\s\S]*?<span class="error" id="cfg-criteria-revenueShare-threshold-error">must be a number from 0 to 1<\/span>/);
    expect(text).toMatch(/data-path="schedule\.cron">[\s\S]*?value="every day"[\s\S]*?<span class="error"[^>]*>must have 5 cron fields<\/span>/);
    expect(text).not.toMatch(/data-path="criteria\.revenueShare\.weight">[\s\S]*?class="error"[\s\S]*?data-path="criteria\.growth/);
    expect(h.backend.saved).toEqual([]);
  });

  it('previews which families gain or lose Key without saving', async () => {
    const { h, c } = await loggedIn();
    await c.page('/connections/c1/config');
    const res = await c.post('/connections/c1/config/preview', { version: '3', ...VALID });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('Preview against the snapshot of 2026-06-30');
    expect(text).toContain('Gaining Key (1)');
    expect(text).toContain('<td>Globex &amp; Sons</td><td>Develop</td><td>Key</td><td class="num">55.0</td><td class="num">72.5</td>');
    expect(text).toContain('Losing Key (0)');
    expect(text).toContain('value="0.15"');
    expect(h.backend.previews).toEqual([{
      'criteria.revenueShare.threshold': '0.15', 'criteria.revenueShare.weight': '25', 'criteria.growth.enabled': 'false', 'schedule.cron': '0 3 * * *',
    }]);
    expect(h.backend.saved).toEqual([]);
  });

  it('shows preview errors next to the fields', async () => {
    const { c } = await loggedIn();
    await c.page('/connections/c1/config');
    const res = await c.post('/connections/c1/config/preview', { version: '3', ...VALID, 'cfg.criteria.revenueShare.weight': '-2' });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/data-path="criteria\.revenueShare\.weight">[\s\S]*?must be a whole number, 0 or more/);
  });

  it('saves valid values and reports the new version', async () => {
    const { h, c } = await loggedIn();
    await c.page('/connections/c1/config');
    const res = await c.post('/connections/c1/config', { version: '3', ...VALID });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/connections/c1/config');
    expect(h.backend.saved).toHaveLength(1);
    expect(h.backend.saved[0]?.baseVersion).toBe(3);
    const { text } = await c.page('/connections/c1/config');
    expect(text).toContain('Saved: configuration version 4.');
    expect(text).toContain('name="version" value="4"');
  });

  it('shows an error with no field above the form (someone saved in between)', async () => {
    const { h, c } = await loggedIn();
    await c.page('/connections/c1/config');
    const res = await c.post('/connections/c1/config', { version: '2', ...VALID });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('<li>the configuration was changed by someone else; reload</li>');
    expect(h.backend.saved).toEqual([]);
  });

  it('refuses a save without the CSRF token or with a wrong one', async () => {
    const { h, c } = await loggedIn();
    const missing = await c.request('POST', '/connections/c1/config', { form: { version: '3', ...VALID } });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('The form token is missing.');
    const wrong = await c.request('POST', '/connections/c1/config', { form: { _csrf: 'x'.repeat(43), version: '3', ...VALID } });
    expect(wrong.status).toBe(403);
    expect(h.backend.saved).toEqual([]);
  });

  it('names a missing version field', async () => {
    const { c } = await loggedIn();
    await c.page('/connections/c1/config');
    const res = await c.post('/connections/c1/config', VALID);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('body.version');
  });
});

describe('runs', () => {
  it('starts a sync and a dry run with POST + CSRF and goes to the run', async () => {
    const { h, c } = await loggedIn();
    await c.page('/connections/c1');
    const sync = await c.post('/connections/c1/runs', { kind: 'sync' });
    expect(sync.status).toBe(303);
    expect(sync.headers.get('location')).toBe('/connections/c1/runs/r1');
    await c.post('/connections/c1/runs', { kind: 'dry-run' });
    expect(h.backend.started).toEqual([
      { connectionId: 'c1', request: { kind: 'sync' } },
      { connectionId: 'c1', request: { kind: 'dry-run' } },
    ]);
  });

  it('refuses an unknown run kind naming the field, and a run without CSRF', async () => {
    const { h, c } = await loggedIn();
    await c.page('/connections/c1');
    const bad = await c.post('/connections/c1/runs', { kind: 'delete-everything' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('body.kind');
    expect((await c.request('POST', '/connections/c1/runs', { form: { kind: 'sync' } })).status).toBe(403);
    expect(h.backend.started).toEqual([]);
  });

  it('reports a busy connection on its page', async () => {
    const { h, c } = await loggedIn();
    h.backend.busy = true;
    await c.page('/connections/c1');
    const res = await c.post('/connections/c1/runs', { kind: 'sync' });
    expect(res.headers.get('location')).toBe('/connections/c1');
    expect((await c.page('/connections/c1')).text).toContain('A run is already going for this connection.');
  });

  it('shows a run with its per-record errors, escaped, and a rollback button', async () => {
    const { c } = await loggedIn();
    const { text } = await c.page('/connections/c1/runs/r1');
    expect(text).toContain('<td>001A</td><td>bad-data</td><td>FIELD_CUSTOM_VALIDATION_EXCEPTION: &lt;b&gt;Region&lt;/b&gt; required</td>');
    expect(text).toContain('Per-record errors (2)');
    expect(text).toContain('action="/connections/c1/runs/r1/rollback"');
    expect((await c.get('/connections/c1/runs/r9')).status).toBe(404);
  });

  it('previews the rollback of a run with POST + CSRF (it writes nothing until approved)', async () => {
    const { h, c } = await loggedIn();
    await c.page('/connections/c1/runs/r1');
    const res = await c.post('/connections/c1/runs/r1/rollback');
    expect(res.status).toBe(303);
    expect(h.backend.started).toEqual([{ connectionId: 'c1', request: { kind: 'rollback', runId: 'r1', preview: true } }]);
  });
});

describe('family view', () => {
  it('draws the matrix with entities down the side and a legend, no state words in the cells, names instead of ids', async () => {
    const { c } = await loggedIn();
    const { res, text } = await c.page('/connections/c1/families/a1');
    expect(res.status).toBe(200);
    expect(text).toContain('<thead><tr><th class="corner" scope="col">Entity</th><th scope="col" title="Hardware">Hardware</th><th scope="col" title="Services">Services</th><th scope="col" title="Software">Software</th></tr></thead>');
    const rows = [...text.matchAll(/<tr><th scope="row" class="entity depth-(\d)" title="([^"]*)">[^<]*<\/th>(.*?)<\/tr>/g)];
    expect(rows.map((r) => [r[1], r[2]])).toEqual([['0', 'Acme Holding'], ['1', 'Acme &lt;Labs&gt;']]);
    const cells = (row: string) => [...row.matchAll(/<td(?: class="([^"]*)")?[^>]*>(.*?)<\/td>/g)].map((m) => [m[1] ?? '', m[2]]);
    expect(cells(rows[0]![3]!)).toEqual([
      ['cell state-active', '150K'],
      ['cell state-open', '20K'],
      ['cell state-whitespace suggested sister', '<span class="mark sister">◆</span>'],
    ]);
    expect(cells(rows[1]![3]!)).toEqual([
      ['cell state-lapsed', ''],
      ['cell state-whitespace suggested peer', '<span class="mark peer">★</span>'],
      ['cell state-active', '9K'],
    ]);
    // The words are in the legend and the titles, never in the cells.
    expect(text).not.toMatch(/<td class="cell[^>]*>[^<]*(whitespace|active|lapsed)/);
    expect(text).toContain('title="Hardware: active&#10;revenue 150,000 USD&#10;lifetime 400,000 USD&#10;last won 2026-03-01"');
    for (const state of ['active', 'open', 'lapsed', 'lost', 'whitespace']) expect(text).toContain(`<span class="swatch state-${state}"></span>`);
    expect(text).toContain('Suggested by peers in other families');
    expect(text).toContain('Suggested by sister entities of this family');
    expect(text).toContain('<li>would drop below Key under 10% share, now 18.0%</li>');
    // Peer and sister suggestions apart, each with the entity's name.
    expect(text).toMatch(/From peers in other families \(1\)<\/h3>.*?<td>Acme &lt;Labs&gt;<\/td><td>Services<\/td>\s*<td class="num">48,000<\/td>/s);
    expect(text).toMatch(/From sister entities of this family \(1\)<\/h3>.*?<td>Acme Holding<\/td><td>Software<\/td>\s*<td class="num">9,000<\/td>/s);
    // Relationships by role and the payoff horizon, by name.
    expect(text).toContain('<td>Acme Holding</td><td>Dana &lt;Decides&gt;</td>\n<td>Ira Influence</td><td>—</td>');
    expect(text).toContain("Every known relationship runs through Olga Owner's deals.");
    expect(text).toContain('Buying with no decision maker known: Acme &lt;Labs&gt;.');
    expect(text).toContain('This quarter: 20,000 USD');
    expect(text).toMatch(/<td>this quarter<\/td><td>Acme Holding<\/td>\s*<td>deal Services renewal, closing 2026-09-15<\/td><td>Olga Owner<\/td><td class="num">20,000<\/td>/);
    expect(text).not.toContain('003A');
    expect(text).not.toContain('005A');
    expect(text).toContain('<td>1 contact (target 3-5) · single-threaded</td>');
    expect(text).toContain('Single-threaded: at most one active contact in the family');
    expect(text).toContain('Losing this family would cost 180,000 USD');
  });

  it('sends the family page compressed as the browser asks, the same page each way, and varies on Accept-Encoding', async () => {
    const { c } = await loggedIn();
    const plain = await c.get('/connections/c1/families/a1', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const text = await plain.text();
    expect(text).toContain('<h2>Matrix</h2>');
    for (const [asked, sent] of [['gzip, deflate', 'gzip'], ['gzip, deflate, br', 'br']] as const) {
      const res = await c.get('/connections/c1/families/a1', { 'accept-encoding': asked });
      expect(res.headers.get('content-encoding')).toBe(sent);
      expect(res.headers.get('vary')).toMatch(/Accept-Encoding/);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(Number(res.headers.get('content-length'))).toBeLessThan(Buffer.byteLength(text));
      expect(await res.text()).toBe(text);
    }
  });

  it('answers 404 for an unknown family', async () => {
    const { c } = await loggedIn();
    expect((await c.get('/connections/c1/families/zzz')).status).toBe(404);
  });
});

describe('portfolio', () => {
  it('draws the Pareto curve as server-rendered SVG with top 1/5/10, HHI and the key families marked', async () => {
    const { c } = await loggedIn();
    const { res, text } = await c.page('/connections/c1/portfolio');
    expect(res.status).toBe(200);
    const svg = /<svg class="pareto"[^>]*>(.*?)<\/svg>/s.exec(text)?.[1] ?? '';
    expect(svg).toContain('<title id="pareto-title">Concentration of revenue (Pareto curve)</title>');
    expect(svg).toContain('top 1: 18.0%');
    expect(svg).toContain('top 5: 62.0%');
    expect(svg).toContain('top 10: 95.0%');
    expect(svg).toContain('HHI 0.121');
    expect([...svg.matchAll(/<circle class="key"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1])).toEqual(['Acme Holding (key, rank 1)', 'Globex &amp; Sons (key, rank 2)']);
    // The curve ends at 100% of revenue on the last family (y of 100% is the top of the drawing area).
    const curve = /<path class="curve" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(curve.split(' ').at(-1)).toBe('L624.0,16.0');
    expect(text).not.toContain('<script');
  });

  it('lists loss scenarios, the worst case per key families and per owner, drift both ways and risk counts, all linked', async () => {
    const { c } = await loggedIn();
    const { text } = await c.page('/connections/c1/portfolio');
    expect(text).toMatch(/<td><a href="\/connections\/c1\/families\/a1">Acme Holding<\/a><\/td><td class="num">180,000 USD<\/td>\s*<td class="num">18.0%<\/td><td class="num">0.100<\/td>/);
    expect(text).toMatch(/the top 2 key families together<div class="help"><a href="\/connections\/c1\/families\/a1">Acme Holding<\/a>, <a href="\/connections\/c1\/families\/f2">Globex &amp; Sons<\/a><\/div><\/td>\s*<td class="num">330,000 USD<\/td><td class="num">33.0%<\/td>/);
    expect(text).toContain('owner <strong>Olga &lt;Owner&gt;</strong> leaves');
    expect(text).toMatch(/Marked key in the CRM, but fails the criteria \(1\)<\/h3>.*?<a href="\/connections\/c1\/families\/f3">Family 3<\/a>: marked key in the CRM/s);
    expect(text).toMatch(/Passes the criteria, not marked key in the CRM \(1\)<\/h3>.*?<a href="\/connections\/c1\/families\/f2">Globex &amp; Sons<\/a>: key by the criteria/s);
    expect(text).toContain('Risks (2 families flagged)');
    expect(text).toMatch(/<strong class="count">1<\/strong> Concentration: 20% or more of all revenue<\/summary>\s*<ul><li><a href="\/connections\/c1\/families\/a1">Acme Holding<\/a>/);
    expect(text).toMatch(/<strong class="count">1<\/strong> Declining:.*?<a href="\/connections\/c1\/families\/f3">Family 3<\/a>/s);
  });

  it('says there is no analysis yet, and 404s an unknown connection', async () => {
    const { h, c } = await loggedIn();
    h.backend.portfolio = null;
    const res = await c.get('/connections/c1/portfolio');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('The portfolio appears once a run has pulled');
    expect((await c.get('/connections/nope/portfolio')).status).toBe(404);
  });
});

describe('run history page', () => {
  it('lists the connection\'s runs with links, and is linked from the connection page', async () => {
    const { c } = await loggedIn();
    const { res, text } = await c.page('/connections/c1/runs');
    expect(res.status).toBe(200);
    expect(text).toContain('<h1>Run history');
    expect(text).toContain('href="/connections/c1/runs/r1">r1</a>');
    expect((await c.page('/connections/c1')).text).toContain('href="/connections/c1/runs">All runs of this connection</a>');
    expect((await c.get('/connections/nope/runs')).status).toBe(404);
  });
});

describe('static and fallbacks', () => {
  it('serves the stylesheet without a session', async () => {
    const h = await startTest();
    const res = await h.client().get('/static/console.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await res.text()).toContain('.state-active');
  });

  it('marks console pages and API answers no-store', async () => {
    const { c } = await loggedIn();
    expect((await c.get('/connections/c1/families/a1')).headers.get('cache-control')).toBe('no-store');
    expect((await c.get('/api/connections')).headers.get('cache-control')).toBe('no-store');
  });

  it('answers unknown pages with 404 once logged in', async () => {
    const { c } = await loggedIn();
    expect((await c.get('/no/such/page')).status).toBe(404);
  });

  it('shows a generic 500 page without internals when the backend throws', async () => {
    const { h, c } = await loggedIn();
    h.backend.listConnections = async () => {
      throw new Error('sqlite at /var/secret/path failed');
    };
    const res = await c.get('/');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('Something went wrong');
    expect(text).not.toContain('/var/secret/path');
  });
});
