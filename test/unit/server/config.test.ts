import { describe, expect, it } from 'vitest';
import { loadConsoleSettings } from '../../../src/console/settings.ts';
import { loadServerConfig } from '../../../src/server/config.ts';

const random = () => 'r'.repeat(43);

describe('loadServerConfig: the admin password hash', () => {
  it('refuses a malformed hash at start, naming the variable and how to make one', () => {
    expect(() => loadServerConfig({ KAMFLOW_ADMIN_PASSWORD_HASH: 'scrypt$15$8$1$short' }, () => 'r'.repeat(40)))
      .toThrow(/KAMFLOW_ADMIN_PASSWORD_HASH: is not a Kamflow password hash.*hash-password/s);
    // A hash whose $ signs a shell or .env file ate.
    expect(() => loadServerConfig({ KAMFLOW_ADMIN_PASSWORD_HASH: 'scrypt8' }, () => 'r'.repeat(40))).toThrow(/KAMFLOW_ADMIN_PASSWORD_HASH/);
  });

  it('accepts a well-formed hash', async () => {
    const { hashPassword } = await import('../../../src/server/password.ts');
    const hash = await hashPassword('a long enough password', { logN: 10 });
    expect(loadServerConfig({ KAMFLOW_ADMIN_PASSWORD_HASH: hash }, () => 'r'.repeat(40)).adminPasswordHash).toBe(hash);
  });
});

describe('placeholderSettings', () => {
  it('names the settings that still hold .env.example placeholders, never other ones', async () => {
    const { placeholderSettings } = await import('../../../src/server/config.ts');
    expect(placeholderSettings({
      KAMFLOW_ENCRYPTION_KEY: 'replace-with-32-random-bytes-base64',
      KAMFLOW_SESSION_SECRET: 'replace-with-at-least-32-random-characters',
      KAMFLOW_PUBLIC_URL: 'https://kamflow.example.com',
      SALESFORCE_CLIENT_ID: 'your-external-client-app-consumer-key',
      SALESFORCE_INSTANCE_URL: 'https://your-domain.my.salesforce.com',
      HUBSPOT_CLIENT_SECRET: 'a-real-secret',
      KAMFLOW_PORT: '3000',
      PATH: 'your-path',
    })).toEqual(['KAMFLOW_ENCRYPTION_KEY', 'KAMFLOW_PUBLIC_URL', 'KAMFLOW_SESSION_SECRET', 'SALESFORCE_CLIENT_ID', 'SALESFORCE_INSTANCE_URL']);
  });
});

describe('loadServerConfig', () => {
  it('applies the defaults', () => {
    const c = loadServerConfig({}, random);
    expect(c).toMatchObject({
      host: '127.0.0.1', port: 3000, publicUrl: 'http://127.0.0.1:3000', secureCookies: true, sessionSecret: 'r'.repeat(43),
      sessionIdleMinutes: 30, sessionMaxHours: 12, adminUser: 'admin', adminPasswordHash: null, setupToken: null,
      trustProxy: 0, loginLimit: { perIp: 20, perUser: 5, windowMinutes: 15 }, extraFormActionOrigins: [],
    });
  });

  it('reads every variable', () => {
    const c = loadServerConfig({
      KAMFLOW_HOST: '0.0.0.0', KAMFLOW_PORT: '8080', KAMFLOW_PUBLIC_URL: 'https://kam.example.com/', KAMFLOW_INSECURE_COOKIES: 'true',
      KAMFLOW_SESSION_SECRET: 'k'.repeat(32), KAMFLOW_SESSION_IDLE_MINUTES: '10', KAMFLOW_ADMIN_USER: 'ops',
      KAMFLOW_TRUST_PROXY: '1', KAMFLOW_LOGIN_LIMIT_PER_USER: '3',
      KAMFLOW_CSP_EXTRA_FORM_ACTION: 'http://127.0.0.1:4010 http://localhost:4011',
    }, random);
    expect(c).toMatchObject({
      host: '0.0.0.0', port: 8080, publicUrl: 'https://kam.example.com', secureCookies: false, sessionSecret: 'k'.repeat(32),
      sessionIdleMinutes: 10, adminUser: 'ops', trustProxy: 1,
      extraFormActionOrigins: ['http://127.0.0.1:4010', 'http://localhost:4011'],
    });
    expect(c.loginLimit.perUser).toBe(3);
  });

  it("checks webhook signatures with the app's client secret unless a separate one is set", () => {
    expect(loadConsoleSettings({ HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 'app' }).webhookSecrets).toEqual({ hubspot: 'app' });
    expect(loadConsoleSettings({ HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 'app', KAMFLOW_HUBSPOT_CLIENT_SECRET: 'hooks' }).webhookSecrets).toEqual({ hubspot: 'hooks' });
    expect(loadConsoleSettings({}).webhookSecrets).toEqual({});
  });

  it('names each bad variable without echoing secrets', () => {
    let message = '';
    try {
      loadServerConfig({ KAMFLOW_PORT: 'eighty', KAMFLOW_SESSION_SECRET: 'tooshort-secret', KAMFLOW_CSP_EXTRA_FORM_ACTION: 'http://x/path' }, random);
    } catch (e) {
      message = e instanceof Error ? e.message : '';
    }
    expect(message).toContain('KAMFLOW_PORT: must be an integer from 0 to 65535');
    expect(message).toContain('KAMFLOW_SESSION_SECRET: must be at least 32 characters');
    expect(message).toContain('KAMFLOW_CSP_EXTRA_FORM_ACTION');
    expect(message).not.toContain('tooshort-secret');
  });

  it('refuses a public URL that is not http(s)', () => {
    expect(() => loadServerConfig({ KAMFLOW_PUBLIC_URL: 'ftp://x' }, random)).toThrow('KAMFLOW_PUBLIC_URL');
  });
});
