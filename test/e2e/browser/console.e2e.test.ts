import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CliIo } from '../../../src/cli/command.ts';
import { makeServeBackend } from '../../../src/console/serve-backend.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { hashPassword } from '../../../src/server/password.ts';
import { serveCommand } from '../../../src/cli/commands/serve.ts';
import { sampleSeed } from '../../integration/server/real-backend.ts';

/**
 * The console in a real browser: Debian's chromium, headless, driven by playwright-core,
 * against `kamflow serve` and the local CRM simulator, both on loopback.
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const PASSWORD = 'browser test password';
const SHOTS = process.env['KAMFLOW_SHOTS_DIR'] ?? fileURLToPath(new URL('../../../test-output/browser/', import.meta.url));

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

function bufferIo(env: NodeJS.ProcessEnv): { io: CliIo; text: () => string } {
  const chunks: string[] = [];
  const sink = { write: (s: string) => { chunks.push(s); return true; } } as unknown as NodeJS.WriteStream;
  return { io: { stdout: sink, stderr: sink, env } as CliIo, text: () => chunks.join('') };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

let sandbox: Sandbox;
let context: BrowserContext;
let page: Page;
let consoleUrl: string;
let stopServe: AbortController;
let serving: Promise<number> | undefined;
let serveLog: () => string;
let dataDir: string;
let profileDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with scripts/ensure-chromium.sh (as root) before running the browser test`);
  }
  mkdirSync(SHOTS, { recursive: true });
  sandbox = await startSandbox({ seed: sampleSeed() });
  // The simulator's PermissionSet lacks the Description field the Salesforce connector sets when
  // creating its permission set; with the set present the connector finds it and goes on.
  sandbox.sf.insert('PermissionSet', { Name: 'Kamflow', Label: 'Kamflow' });

  dataDir = mkdtempSync(join(tmpdir(), 'kamflow-e2e-'));
  const port = await freePort();
  consoleUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    KAMFLOW_HOST: '127.0.0.1',
    KAMFLOW_PORT: String(port),
    KAMFLOW_PUBLIC_URL: consoleUrl,
    KAMFLOW_INSECURE_COOKIES: 'true',
    KAMFLOW_SESSION_SECRET: randomBytes(32).toString('hex'),
    KAMFLOW_ADMIN_PASSWORD_HASH: await hashPassword(PASSWORD, { logN: 10 }),
    KAMFLOW_CSP_EXTRA_FORM_ACTION: sandbox.url,
    KAMFLOW_DB_PATH: join(dataDir, 'kamflow.db'),
    KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KAMFLOW_CRM_SIMULATOR_URL: sandbox.url,
    SALESFORCE_CLIENT_ID: sandbox.salesforce.clientId,
    SALESFORCE_CLIENT_SECRET: sandbox.salesforce.clientSecret,
    KAMFLOW_LOG_LEVEL: 'info',
  };
  const out = bufferIo(env);
  serveLog = out.text;
  stopServe = new AbortController();
  serving = serveCommand(makeServeBackend(), { signal: stopServe.signal }).run([], out.io);
  await waitFor('the console to listen', async () => (await fetch(`${consoleUrl}/healthz`).catch(() => null))?.ok === true, 15_000);

  profileDir = mkdtempSync(join(tmpdir(), 'kamflow-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 30_000,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  page = context.pages()[0] ?? (await context.newPage());
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  stopServe?.abort();
  const code = serving !== undefined ? await serving.catch(() => -1) : null;
  if (serveLog) writeFileSync(join(SHOTS, 'serve.log'), serveLog());
  await sandbox?.close().catch(() => undefined);
  for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  // `kamflow serve` stopped cleanly (when it got as far as starting).
  if (code !== null) expect(code).toBe(0);
});

async function shot(name: string): Promise<void> {
  // Full pages of long plans take a while on a loaded machine.
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, timeout: 60_000 });
}

async function reloadUntil(what: string, selector: string): Promise<void> {
  await waitFor(what, async () => {
    await page.reload();
    return (await page.locator(selector).count()) > 0;
  });
}

describe('console in a browser', () => {
  it('logs in, installs Salesforce, edits and previews a criterion, saves, syncs, and shows a family grid', async () => {
    await page.goto(`${consoleUrl}/`);
    await expect.poll(() => page.url()).toContain('/login');
    await page.fill('#user', 'admin');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${consoleUrl}/`), page.click('button[type=submit]')]);
    await shot('01-connections-empty');

    // Install: the console redirects to the simulator's authorize endpoint, which comes back with a code.
    await page.selectOption('#salesforce-loginHost', 'production');
    await Promise.all([page.waitForURL(/\/connections\/[^/]+$/), page.click('form[action="/connect/salesforce"] button:has-text("Connect Salesforce")')]);
    const connectionUrl = page.url();
    await expect.poll(() => page.locator('body').innerText()).toContain('Salesforce connected');
    await shot('02-installed');

    // The first sync starts with the install and only plans: nothing is written before the
    // admin has seen the plan. It waits as "awaiting approval" (not a failure).
    await reloadUntil('the first plan to wait for approval', 'table.runs td.status-awaiting-approval');
    expect(await page.locator('body').innerText()).toContain('The last sync is awaiting approval');
    expect(await page.locator('.status-failed').count()).toBe(0);
    await shot('03-first-plan-waiting');
    await Promise.all([page.waitForURL(/\/runs\/run-/), page.click('a:has-text("Review its plan")')]);
    const planText = await page.locator('body').innerText();
    expect(planText).toContain('Approve and write this plan');
    expect(await page.locator('table.plan tbody tr').count()).toBeGreaterThan(0);
    await shot('03b-plan');
    // The plan page fits a phone: nothing wider than the window at 390 px.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, '03c-plan-390.png') });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
    await Promise.all([page.waitForURL(/\/runs\/run-/), page.click('button:text-is("Approve and write this plan")')]);
    await reloadUntil('the approved plan to be written', '.status-succeeded');
    await shot('03d-approved-written');
    const writtenUrl = page.url();
    await page.goto(connectionUrl);
    expect(await page.locator('table.families tbody tr').count()).toBeGreaterThan(0);
    await shot('03e-connection-after-approval');

    // Rollback: the written run's button previews; the preview's plan waits for an explicit go.
    await page.goto(writtenUrl);
    await Promise.all([page.waitForURL((u) => u.toString() !== writtenUrl), page.click('button:text-is("Preview the rollback of this run")')]);
    const previewUrl = page.url();
    await reloadUntil('the rollback preview to plan', '.status-awaiting-approval');
    expect(await page.locator('h2:text-is("Plan of the rollback")').count()).toBe(1);
    expect(await page.locator('table.plan th:text-is("Value it restores")').count()).toBe(1);
    await shot('03f-rollback-plan');
    await page.screenshot({ path: join(SHOTS, '03f-rollback-plan-top.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, '03g-rollback-plan-390-top.png') });
    await page.screenshot({ path: join(SHOTS, '03g-rollback-plan-390.png'), fullPage: true, timeout: 60_000 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
    await Promise.all([page.waitForURL((u) => u.toString() !== previewUrl), page.click('button:has-text("Roll back these")')]);
    await reloadUntil('the rollback to be written', '.status-succeeded');
    expect(await page.locator('body').innerText()).toMatch(/Written \/ unchanged \/ failed\s+[1-9]\d* \/ \d+ \/ 0/);
    await page.goto(previewUrl);
    expect(await page.locator('body').innerText()).toContain('Approved by admin (console) at');
    expect(await page.locator('button:has-text("Roll back these")').count()).toBe(0);
    await shot('03h-rollback-approved');
    await page.screenshot({ path: join(SHOTS, '03h-rollback-approved-top.png') });
    await page.goto(connectionUrl);

    // Criteria: lower the revenue share threshold, preview, then save.
    await page.click('a:has-text("Criteria and schedule")');
    await page.fill('#cfg-criteria-revenueShare-threshold', '0.02');
    await page.click('button:has-text("Preview")');
    await expect.poll(() => page.locator('section.preview').count()).toBe(1);
    const previewText = await page.locator('section.preview').innerText();
    expect(previewText).toMatch(/Gaining Key \(\d+\)/);
    expect(await page.inputValue('#cfg-criteria-revenueShare-threshold')).toBe('0.02');
    await shot('04-preview');
    await page.click('button:text-is("Save")');
    await expect.poll(() => page.locator('body').innerText()).toContain('Saved: configuration version 2.');
    expect(await page.inputValue('#cfg-criteria-revenueShare-threshold')).toBe('0.02');
    await shot('05-saved');

    // A sync now, from the connection page, followed on its run page. A criteria change that
    // moves tiers may wait for approval (the safety gate counts tier and flag changes, not
    // wording); then it is approved on its plan page.
    await page.goto(connectionUrl);
    await Promise.all([page.waitForURL(/\/runs\/run-/), page.click('button:text-is("Sync now")')]);
    await reloadUntil('the console sync to finish', '.status-failed, .status-succeeded, .status-awaiting-approval');
    expect(await page.locator('.status-failed').count()).toBe(0);
    if ((await page.locator('.status-awaiting-approval').count()) > 0) {
      await shot('06-criteria-plan-waiting');
      await Promise.all([page.waitForURL(/\/runs\/run-/), page.click('button:text-is("Approve and write this plan")')]);
      await reloadUntil('the approved sync to succeed', '.status-succeeded');
    }
    await shot('07-sync-run');

    // A family's matrix as a coloured grid.
    await page.goto(connectionUrl);
    await page.locator('table.families tbody tr a').first().click();
    await page.waitForURL(/\/families\//);
    const cells = page.locator('table.matrix td.cell');
    expect(await cells.count()).toBeGreaterThan(0);
    expect(await page.locator('table.matrix td.cell.state-active').count()).toBeGreaterThan(0);
    // Computed in the page: the stylesheet colours each state's cells differently.
    const backgroundOf = async (selector: string): Promise<string> => z.string().parse(await page.evaluate(
      `(() => { const el = document.querySelector(${JSON.stringify(selector)}); return el ? getComputedStyle(el).backgroundColor : 'missing'; })()`,
    ));
    const colour = await backgroundOf('table.matrix td.cell.state-active');
    expect(colour).not.toBe('rgba(0, 0, 0, 0)');
    expect(colour).not.toBe('missing');
    const whitespace = await backgroundOf('table.matrix td.cell:not(.state-active)');
    expect(whitespace).not.toBe(colour);
    await shot('08-family');
  }, 120_000);
});
