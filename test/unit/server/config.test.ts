import { describe, expect, it } from 'vitest';
import { loadConsoleSettings } from '../../../src/console/settings.ts';
import { loadServerConfig } from '../../../src/server/config.ts';

const random = () => 'r'.repeat(43);

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
