import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl } from '../../../connectors/hubspot/auth.ts';
import { hubSpotOptionsSchema } from '../../../connectors/hubspot/options.ts';

describe('authorize URL and options', () => {
  it('asks for Kamflow scopes, space-separated', () => {
    const url = new URL(buildAuthorizeUrl({ clientId: 'cid', redirectUri: 'https://kamflow.example/oauth/hubspot', state: 's-1' }));
    expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(url.searchParams.get('client_id')).toBe('cid');
    expect(url.searchParams.get('state')).toBe('s-1');
    expect(url.searchParams.get('redirect_uri')).toBe('https://kamflow.example/oauth/hubspot');
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['oauth', 'crm.objects.companies.write', 'crm.schemas.companies.write', 'crm.objects.line_items.read']));
    expect(buildAuthorizeUrl({ clientId: 'c', redirectUri: 'http://127.0.0.1:1/cb', state: 's', authorizeHost: 'http://127.0.0.1:9/' })).toMatch(/^http:\/\/127\.0\.0\.1:9\/oauth\/authorize\?/);
  });

  it('options: defaults, and errors that name the setting', () => {
    const o = hubSpotOptionsSchema.parse({ auth: { kind: 'private-app', token: 't' } });
    expect([o.baseUrl, o.limits.tenSecondBudget, o.limits.searchPerSecond, o.keyProperty, o.syncTargetAccountFromTier, o.pageSizes.update, o.productFamilyProperty, o.lineItemCostProperty, o.lineItemCostPer]).toEqual([
      'https://api.hubapi.com', 100, 4, 'hs_is_target_account', false, 100, null, 'hs_cost_of_goods_sold', 'unit',
    ]);
    const bad = hubSpotOptionsSchema.safeParse({ auth: { kind: 'private-app', token: 't' }, pageSizes: { update: 500 }, productFamilyProperty: 'bad name' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['pageSizes.update', 'productFamilyProperty']);
  });
});

describe('connector construction', () => {
  it('rejects bad options with a config error naming each setting and never echoing a secret', async () => {
    const { HubSpotConnector } = await import('../../../connectors/hubspot/index.ts');
    let message = '';
    try {
      new HubSpotConnector({ baseUrl: 'not a url', auth: { kind: 'oauth', accessToken: 'at-secret', refreshToken: '', expiresAt: 1, clientId: 'c', clientSecret: 'cs-secret' } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid HubSpot connector options: /);
    expect(message).toContain('baseUrl');
    expect(message).toContain('auth.refreshToken: OAuth refresh token must not be empty');
    expect(message).not.toContain('secret');
  });
});
