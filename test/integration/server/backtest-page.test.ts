import { describe, expect, it } from 'vitest';
import { backtest } from '../../../src/analyze/backtest.ts';
import { inputFromSnapshot } from '../../../src/analyze/input.ts';
import { parseAnalysisConfig } from '../../../src/config/analysis-config.ts';
import type { BacktestView } from '../../../src/server/backend.ts';
import { smallSnapshot } from '../sandbox/fixture.ts';
import { account, opp, product, snapshot } from '../../unit/analyze/builders.ts';
import { FakeBackend } from './fake-backend.ts';
import { startTest } from './harness.ts';
import { installSalesforce, startReal } from './real-backend.ts';

const known = { industry: 'Retail', employees: 500 };
const world = snapshot({
  accounts: [account('K', { ...known, name: 'Kestrel <Group>' }), account('C', known)],
  products: [product('X')],
  opportunities: [
    opp('K1', 'K', 'won', '2025-03-01', [['X', 1000]]),
    opp('K2', 'K', 'won', '2025-10-01', [['X', 1200]]),
    opp('C1', 'C', 'won', '2025-05-01', [['X', 200]]),
  ],
});

class BacktestBackend extends FakeBackend {
  asked: (string | null)[] = [];
  async backtest(id: string, asOf: string | null): Promise<BacktestView | null> {
    this.asked.push(asOf);
    if (id !== 'c1') return null;
    const date = asOf ?? '2025-06-30';
    if (date > '2025-12-02') return { asOf: date, latest: '2025-12-02', result: null, error: `The 12 months after ${date} are not over yet; choose 2025-12-02 or earlier.` };
    return { asOf: date, latest: '2025-12-02', result: backtest(inputFromSnapshot(world), parseAnalysisConfig({}), date), error: null };
  }
}

describe('the backtest page', () => {
  it('shows the per-tier table, the verdict and the families, escaped', async () => {
    const h = await startTest({ backend: new BacktestBackend() });
    const c = h.client();
    await c.login();
    const { res, text } = await c.page('/connections/c1/backtest?asOf=2025-06-30');
    expect(res.status).toBe(200);
    expect(text).toContain('<input type="date" name="asOf" value="2025-06-30" max="2025-12-02" required>');
    // K: 1000 before, 1200 after (grew); C: 200 before, nothing after (churned); both Key.
    expect(text).toMatch(/<td>Key<\/td><td>2<\/td><td>1,200<\/td>\s*<td>1,200<\/td><td>1,000<\/td><td>200<\/td><td>0<\/td><td>200<\/td>/);
    // Only K had revenue after: the top 1, and Key.
    expect(text).toContain('The Key tier picked the families that mattered: the family with the most revenue in the 12 months after 2025-06-30 was Key then');
    expect(text).toContain('Kestrel &lt;Group&gt;');
    expect(text).toContain('<td>churned</td>');
  });

  it('uses the latest date without asOf, shows why there is no result, and refuses a bad date', async () => {
    const backend = new BacktestBackend();
    const h = await startTest({ backend });
    const c = h.client();
    await c.login();
    expect((await c.page('/connections/c1/backtest')).res.status).toBe(200);
    expect(backend.asked).toEqual([null]);
    const late = await c.page('/connections/c1/backtest?asOf=2026-06-01');
    expect(late.text).toContain('The 12 months after 2026-06-01 are not over yet; choose 2025-12-02 or earlier.');
    expect((await c.get('/connections/c1/backtest?asOf=2025-02-30')).status).toBe(400);
    expect((await c.get('/connections/zz/backtest')).status).toBe(404);
    expect((await c.page('/connections/c1')).text).toContain('href="/connections/c1/backtest">Backtest</a>');
  });
});

describe('KamflowBackend backtest', () => {
  it('backtests the mirror as of 12 months before the analysis date by default', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const id = await installSalesforce(setup);
    const view = await setup.backend.backtest(id, null);
    const today = new Date().toISOString().slice(0, 10);
    const latest = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
    expect(view?.latest).toBe(latest);
    expect(view?.asOf).toBe(latest);
    expect(view?.result?.asOf).toBe(latest);
    expect(view?.result?.families.length).toBeGreaterThan(0);
    expect((await setup.backend.backtest(id, today))?.error).toBe(`The 12 months after ${today} are not over yet; choose ${latest} or earlier.`);
    expect(await setup.backend.backtest('nope', null)).toBeNull();
  });
});
