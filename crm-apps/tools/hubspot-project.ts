// Writes a copy of the HubSpot project in crm-apps/hubspot with Kamflow's public origin in the
// three places the app needs it, ready for `hs project upload` from that copy.
//   npm run hubspot:project -- --output-dir out/hubspot-project --public-url https://kamflow.acme.com [--support-email help@acme.com]
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const HUBSPOT_PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'hubspot');

export class HubSpotProjectError extends Error {
  override readonly name = 'HubSpotProjectError';
}

export interface ProjectOptions {
  projectDir?: string | undefined;
  outputDir: string;
  /** Kamflow's public https origin (`KAMFLOW_PUBLIC_URL`). */
  publicUrl: string;
  supportEmail?: string | undefined;
}

const appSchema = z.looseObject({
  config: z.looseObject({
    auth: z.looseObject({ redirectUrls: z.array(z.string()) }),
    permittedUrls: z.looseObject({ fetch: z.array(z.string()) }),
    support: z.looseObject({ supportEmail: z.string(), documentationUrl: z.string(), supportUrl: z.string() }),
  }),
});

const APP_META = join('src', 'app', 'app-hsmeta.json');
const ORIGIN_MODULE = join('src', 'app', 'cards', 'kamflow-origin.ts');

function originOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HubSpotProjectError(`--public-url ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'https:') throw new HubSpotProjectError(`--public-url must be https (HubSpot fetches and redirects only to https), got ${u.protocol}`);
  if (u.hostname.endsWith('.invalid')) throw new HubSpotProjectError('--public-url must be your Kamflow server, not the placeholder');
  if (u.pathname !== '/' || u.search || u.hash) throw new HubSpotProjectError(`--public-url must be an origin (scheme and host only), got ${url}`);
  return u.origin;
}

/** Copies the project (without its tests) and sets the origin; returns the files it changed. */
export function writeHubSpotProject(options: ProjectOptions): string[] {
  const origin = originOf(options.publicUrl);
  const email = options.supportEmail ?? `support@${new URL(origin).hostname}`;
  if (!z.email().safeParse(email).success) throw new HubSpotProjectError(`--support-email ${JSON.stringify(email)} is not an email address`);
  const from = options.projectDir ?? HUBSPOT_PROJECT_DIR;
  if (!existsSync(join(from, 'hsproject.json'))) throw new HubSpotProjectError(`${from}: no hsproject.json`);
  const out = resolve(options.outputDir);
  rmSync(out, { recursive: true, force: true });
  cpSync(from, out, { recursive: true, filter: (src) => !/[\\/](test|node_modules)([\\/]|$)/.test(src.slice(from.length)) });

  const metaPath = join(out, APP_META);
  const parsed = appSchema.safeParse(JSON.parse(readFileSync(metaPath, 'utf8')));
  if (!parsed.success) throw new HubSpotProjectError(`${APP_META}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const app = parsed.data;
  app.config.auth.redirectUrls = [`${origin}/connect/hubspot/callback`];
  app.config.permittedUrls.fetch = [origin];
  app.config.support = { ...app.config.support, supportEmail: email, documentationUrl: `${origin}/docs`, supportUrl: `${origin}/support` };
  writeFileSync(metaPath, `${JSON.stringify(app, null, 2)}\n`);
  writeFileSync(join(out, ORIGIN_MODULE), `/** Kamflow's public origin, written by npm run hubspot:project. */\nexport const KAMFLOW_ORIGIN: string = ${JSON.stringify(origin)};\n`);
  return [APP_META, ORIGIN_MODULE];
}

function main(): void {
  const { values } = parseArgs({
    options: { 'output-dir': { type: 'string' }, 'public-url': { type: 'string' }, 'support-email': { type: 'string' }, 'project-dir': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || !values['output-dir'] || !values['public-url']) {
    process.stdout.write('usage: npm run hubspot:project -- --output-dir DIR --public-url https://your-kamflow-host [--support-email ADDRESS]\n');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  try {
    writeHubSpotProject({ outputDir: values['output-dir'], publicUrl: values['public-url'], supportEmail: values['support-email'], projectDir: values['project-dir'] });
    process.stdout.write(`wrote ${resolve(values['output-dir'])}: upload it with \`hs project upload\` from there\n`);
  } catch (e) {
    if (!(e instanceof HubSpotProjectError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
