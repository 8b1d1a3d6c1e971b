import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HUBSPOT_SCOPES } from '../../../connectors/hubspot/auth.ts';
import { KAM_PROPERTIES } from '../../../crm-apps/hubspot/src/app/cards/kamText.ts';
import { KAMFLOW_ORIGIN, RUN_STATUS_PATH } from '../../../crm-apps/hubspot/src/app/cards/run-status.ts';
import { OUTPUT_FIELD_KEYS } from '../../../src/model/output-fields.ts';
import { HubSpotProjectError, writeHubSpotProject } from '../../../crm-apps/tools/hubspot-project.ts';

const root = new URL('../../../crm-apps/hubspot/', import.meta.url);
const json = (path: string): unknown => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

const appSchema = z.object({
  uid: z.string(),
  type: z.literal('app'),
  config: z.object({
    name: z.string(),
    distribution: z.enum(['marketplace', 'private']),
    auth: z.object({
      type: z.literal('oauth'),
      redirectUrls: z.array(z.string().url()).min(1),
      requiredScopes: z.array(z.string()),
      optionalScopes: z.array(z.string()),
      conditionallyRequiredScopes: z.array(z.string()),
    }),
    permittedUrls: z.object({ fetch: z.array(z.string().url()), iframe: z.array(z.string()), img: z.array(z.string()) }),
  }),
});
const cardSchema = z.object({
  uid: z.string(),
  type: z.literal('card'),
  config: z.object({ name: z.string(), location: z.string(), entrypoint: z.string(), objectTypes: z.array(z.string()) }),
});
const pkgSchema = z.object({ dependencies: z.record(z.string(), z.string()), devDependencies: z.record(z.string(), z.string()).optional() });

describe('the HubSpot developer project', () => {
  it('is a project on the current platform version', () => {
    expect(json('hsproject.json')).toEqual({ name: 'kamflow', srcDir: 'src', platformVersion: '2026.03' });
  });

  it('declares exactly the OAuth scopes the connector asks for, and the console callback', () => {
    const app = appSchema.parse(json('src/app/app-hsmeta.json'));
    expect(app.config.auth.requiredScopes).toEqual([...HUBSPOT_SCOPES]);
    expect(app.config.auth.redirectUrls.map((u) => new URL(u).pathname)).toEqual(['/connect/hubspot/callback']);
    // The card may fetch only from Kamflow's origin, where its run status lives.
    expect(app.config.permittedUrls.fetch).toEqual([KAMFLOW_ORIGIN]);
    expect(app.config.auth.redirectUrls.map((u) => new URL(u).origin)).toEqual([KAMFLOW_ORIGIN]);
    expect(new URL(`${KAMFLOW_ORIGIN}${RUN_STATUS_PATH}`).origin).toBe(KAMFLOW_ORIGIN);
  });

  it('places the card on company records, with an entrypoint that exists', () => {
    const card = cardSchema.parse(json('src/app/cards/kamflow-card-hsmeta.json'));
    expect(card.config.objectTypes).toEqual(['companies']);
    expect(card.config.location).toBe('crm.record.tab');
    expect(existsSync(fileURLToPath(new URL(`src${card.config.entrypoint}`, root)))).toBe(true);
  });

  it('shows every Kamflow property but the key-account flag, which the tier implies', () => {
    expect([...KAM_PROPERTIES].sort()).toEqual(OUTPUT_FIELD_KEYS.filter((k) => k !== 'kam_key_account').sort());
  });

  it('builds with the same library versions the tests run', () => {
    const cards = pkgSchema.parse(json('src/app/cards/package.json'));
    const repo = pkgSchema.parse(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')));
    for (const [name, version] of Object.entries(cards.dependencies)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(repo.devDependencies?.[name], name).toBe(version);
    }
  });

  it('ships with the reserved .invalid origin, so an unconfigured card asks nothing', () => {
    expect(new URL(KAMFLOW_ORIGIN).hostname).toBe('kamflow.invalid');
  });

  it('writes an upload copy with the public origin in the callback, the permitted fetch URL and the card, leaving the source alone', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kamflow-hs-')), 'project');
    const before = readFileSync(new URL('src/app/app-hsmeta.json', root), 'utf8');
    try {
      expect(writeHubSpotProject({ outputDir: out, publicUrl: 'https://kamflow.acme.test/', supportEmail: 'help@acme.test' })).toHaveLength(2);
      const app = appSchema.parse(JSON.parse(readFileSync(join(out, 'src/app/app-hsmeta.json'), 'utf8')));
      expect(app.config.auth.redirectUrls).toEqual(['https://kamflow.acme.test/connect/hubspot/callback']);
      expect(app.config.permittedUrls.fetch).toEqual(['https://kamflow.acme.test']);
      expect(app.config.auth.requiredScopes).toEqual([...HUBSPOT_SCOPES]);
      expect(JSON.parse(readFileSync(join(out, 'src/app/app-hsmeta.json'), 'utf8')).config.support.supportEmail).toBe('help@acme.test');
      expect(readFileSync(join(out, 'src/app/cards/kamflow-origin.ts'), 'utf8')).toContain('export const KAMFLOW_ORIGIN: string = "https://kamflow.acme.test";');
      expect(existsSync(join(out, 'test'))).toBe(false);
      expect(existsSync(join(out, 'src/app/cards/KamflowCard.tsx'))).toBe(true);
      expect(readFileSync(new URL('src/app/app-hsmeta.json', root), 'utf8')).toBe(before);
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  });

  it.each([
    ['http://kamflow.acme.test', /must be https/],
    ['https://kamflow.acme.test/kamflow', /must be an origin/],
    ['https://kamflow.invalid', /not the placeholder/],
    ['kamflow', /is not a URL/],
  ])('refuses the public URL %s', (url, message) => {
    expect(() => writeHubSpotProject({ outputDir: join(tmpdir(), 'never-written'), publicUrl: url })).toThrow(HubSpotProjectError);
    expect(() => writeHubSpotProject({ outputDir: join(tmpdir(), 'never-written'), publicUrl: url })).toThrow(message);
  });
});
