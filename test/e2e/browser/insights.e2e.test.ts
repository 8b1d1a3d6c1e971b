import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { analyze } from '../../../src/analyze/index.ts';
import type { CliIo } from '../../../src/cli/command.ts';
import { serveCommand } from '../../../src/cli/commands/serve.ts';
import { parseAnalysisConfig } from '../../../src/config/analysis-config.ts';
import { makeServeBackend } from '../../../src/console/serve-backend.ts';
import { seedMirror } from '../../../src/demo/mirror-seed.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { hashPassword } from '../../../src/server/password.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';

/**
 * The portfolio, family and run history pages in headless Chromium at 1280 and 390 px: a
 * generated org (its largest family has 100 entities) seeded as a synced connection's mirror,
 * `kamflow serve` on it. Screenshots go to test-output/browser/.
 */

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PASSWORD = 'browser test password';
const SHOTS = fileURLToPath(new URL('../../../test-output/browser/', import.meta.url));
const AS_OF = '2026-11-22';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let context: BrowserContext;
let page: Page;
let base: string;
let stopServe: AbortController;
let serving: Promise<number> | undefined;
let dir: string;
let profileDir: string;
let largestId: string;
let smallId: string;
const log: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with scripts/ensure-chromium.sh (as root) before running the browser tests`);
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'kamflow-insights-e2e-'));
  const key = randomBytes(32).toString('base64');
  const org = generateSampleOrg({ seed: 3, accounts: 600, asOf: AS_OF, offerings: 24 });
  const result = analyze({ snapshot: org, config: parseAnalysisConfig({}), asOf: AS_OF, rejected: [] });
  const bySize = [...result.families].sort((a, b) => b.entityIds.length - a.entityIds.length);
  largestId = bySize[0]?.id ?? '';
  smallId = bySize.find((f) => f.entityIds.length >= 3 && f.entityIds.length <= 6)?.id ?? largestId;
  const store = new SqliteStore({ path: join(dir, 'kamflow.db'), encryptionKey: key });
  await seedMirror(store, org, { connectionId: 'demo-org', name: 'Demo org', asOf: AS_OF });
  await store.close();

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    KAMFLOW_HOST: '127.0.0.1', KAMFLOW_PORT: String(port), KAMFLOW_PUBLIC_URL: base, KAMFLOW_INSECURE_COOKIES: 'true',
    KAMFLOW_SESSION_SECRET: randomBytes(32).toString('hex'), KAMFLOW_ADMIN_PASSWORD_HASH: await hashPassword(PASSWORD, { logN: 10 }),
    KAMFLOW_DB_PATH: join(dir, 'kamflow.db'), KAMFLOW_ENCRYPTION_KEY: key, KAMFLOW_LOG_LEVEL: 'warn', KAMFLOW_DEFAULT_SCHEDULE: '',
  };
  const sink = { write: (s: string) => { log.push(s); return true; } } as unknown as NodeJS.WriteStream;
  stopServe = new AbortController();
  serving = serveCommand(makeServeBackend(), { signal: stopServe.signal }).run([], { stdout: sink, stderr: sink, env } as CliIo);
  const until = Date.now() + 20_000;
  while (!(await fetch(`${base}/healthz`).then((r) => r.ok, () => false))) {
    if (Date.now() > until) throw new Error(`the console did not start: ${log.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  profileDir = mkdtempSync(join(tmpdir(), 'kamflow-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${base}/login`);
  await page.fill('#user', 'admin');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
}, 90_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  stopServe?.abort();
  if (serving) await serving.catch(() => -1);
  writeFileSync(join(SHOTS, 'insights-serve.log'), log.join(''));
  for (const d of [dir, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
});

const num = (v: unknown): number => z.number().parse(v);

/** How far the document is wider than the window: 0 when nothing sticks out sideways. */
async function overflowX(): Promise<number> {
  return num(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
}

async function at(width: number, url: string, shot: string): Promise<void> {
  await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
  await page.goto(`${base}${url}`);
  await page.screenshot({ path: join(SHOTS, `${shot}-${width}.png`), fullPage: true });
}

describe('portfolio, family and runs pages in a browser', () => {
  it('draws the portfolio with its SVG chart at 1280 and 390 px, nothing wider than the window', async () => {
    for (const width of [1280, 390]) {
      await at(width, '/connections/demo-org/portfolio', 'insights-portfolio');
      expect(await overflowX()).toBeLessThanOrEqual(0);
      const box = await page.locator('svg.pareto').boundingBox();
      expect(box?.width).toBeGreaterThan(width < 600 ? 300 : 600);
      expect(await page.locator('svg.pareto circle.key').count()).toBeGreaterThan(0);
      expect(await page.locator('script').count()).toBe(0);
      // A risk's families open without a script (details/summary) and link to the family pages.
      await page.locator('.risk-counts summary').first().click();
      const link = page.locator('.risk-counts details[open] a').first();
      expect(await link.getAttribute('href')).toMatch(/^\/connections\/demo-org\/families\//);
    }
  }, 120_000);

  it('keeps the largest family within the page, with the entity column and the header in place while the matrix scrolls', async () => {
    for (const width of [1280, 390]) {
      await at(width, `/connections/demo-org/families/${encodeURIComponent(largestId)}`, 'insights-family-largest');
      expect(await overflowX()).toBeLessThanOrEqual(0);
      const scroller = page.locator('.matrix-scroll');
      const frame = await scroller.boundingBox();
      expect(frame).not.toBeNull();
      expect((frame?.x ?? 0) + (frame?.width ?? 0)).toBeLessThanOrEqual(width);
      const entity = page.locator('.matrix tbody tr:nth-child(30) th.entity');
      const header = page.locator('.matrix thead th:nth-child(12)');
      const before = { entity: await entity.boundingBox(), header: await header.boundingBox() };
      await scroller.evaluate((el) => { el.scrollLeft = 2000; el.scrollTop = 600; });
      const after = { entity: await entity.boundingBox(), header: await header.boundingBox() };
      // The entity column stays at the left edge while the cells move under it...
      expect(Math.abs((after.entity?.x ?? -99) - (frame?.x ?? 0))).toBeLessThanOrEqual(2);
      expect(after.entity?.x).toBe(before.entity?.x);
      // ...and the header row stays at the top while the rows move under it.
      expect(Math.abs((after.header?.y ?? -99) - (frame?.y ?? 0))).toBeLessThanOrEqual(2);
      expect(after.header?.y).toBe(before.header?.y);
      await page.screenshot({ path: join(SHOTS, `insights-family-largest-scrolled-${width}.png`) });
      // No state words in the cells: empty cells are empty, the legend names the colours.
      const words = num(await page.evaluate(`[...document.querySelectorAll('.matrix tbody td')].filter((td) => /whitespace|active|lapsed|lost|open/.test(td.textContent)).length`));
      expect(words).toBe(0);
      expect(await page.locator('ul.legend li').count()).toBe(7);
    }
  }, 120_000);

  it('shows a small family and the run history at both widths', async () => {
    for (const width of [1280, 390]) {
      await at(width, `/connections/demo-org/families/${encodeURIComponent(smallId)}`, 'insights-family-small');
      expect(await overflowX()).toBeLessThanOrEqual(0);
      await at(width, '/connections/demo-org/runs', 'insights-runs');
      expect(await overflowX()).toBeLessThanOrEqual(0);
      expect(await page.locator('table.runs tbody tr').count()).toBe(1);
      await at(width, '/connections/demo-org', 'insights-connection');
      expect(await overflowX()).toBeLessThanOrEqual(0);
    }
  }, 120_000);
});
