import { afterEach, describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, createPkcePair, createState, exchangeCode } from '../../../connectors/salesforce/index.ts';
import { CrmError } from '../../../src/contract/errors.ts';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import { CONNECTION_ID, expectWrittenAsAnalysed, familyIds, kamOf, sampleOrg, startWorld, writeCalls, type World } from './harness.ts';

const SEED = sampleOrg(60);
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('Salesforce end to end: OAuth web-server flow with PKCE', () => {
  it('authorizes, exchanges the code with its verifier, and syncs with the tokens it got', async () => {
    const w = await startWorld(SEED);
    world = w;
    const app = { loginUrl: w.sb.salesforce.loginUrl, clientId: w.sb.salesforce.clientId, clientSecret: w.sb.salesforce.clientSecret, redirectUri: 'http://127.0.0.1:9/callback' };
    const pkce = createPkcePair();
    const state = createState();
    const res = await fetch(buildAuthorizeUrl(app, { state, codeChallenge: pkce.challenge }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(app.redirectUri);
    expect(back.searchParams.get('state')).toBe(state);
    const code = back.searchParams.get('code') ?? '';

    // A wrong verifier is refused.
    const wrong = await exchangeCode(app, code, createPkcePair().verifier).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(CrmError);
    expect((wrong as CrmError).kind).toBe('auth');

    const again = await fetch(buildAuthorizeUrl(app, { state, codeChallenge: pkce.challenge }), { redirect: 'manual' });
    const code2 = new URL(again.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await exchangeCode(app, code2, pkce.verifier);
    expect(tokens.instanceUrl).toBe(w.sb.salesforce.instanceUrl);
    expect(tokens.refreshToken).toBeTruthy();
    await w.store.saveTokens(CONNECTION_ID, tokens);

    await (await w.connector()).provision();
    const run = await w.sync({ confirm: true });
    expect(run.run.status).toBe('succeeded');
    expect(run.run.apiUsage['tokenRefresh']).toBeUndefined();
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');
  });
});

describe('Salesforce end to end: multi-currency org', () => {
  it('reads amounts in the corporate currency, whatever the record currency', async () => {
    const w = await startWorld(SEED, { multiCurrency: true });
    world = w;
    await (await w.connector()).provision();
    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    expectWrittenAsAnalysed(w, SEED);

    // The same deal booked in EUR (0.5 EUR per USD, the sandbox's CurrencyType rate): converted,
    // its value is unchanged, so nothing is written.
    const family = familyIds(SEED, PLANTED.key18).map((id) => w.sb.ids.salesforce.accounts[id] ?? '');
    const deal = w.sb.sf.query(`SELECT Id, Amount FROM Opportunity WHERE IsWon = true AND CloseDate >= 2025-07-01 AND AccountId IN ('${family.join("','")}') ORDER BY Id LIMIT 1`)[0];
    const dealId = String(deal?.['Id']);
    const lines = w.sb.sf.query(`SELECT Id, TotalPrice, UnitPrice, Quantity, Cost__c FROM OpportunityLineItem WHERE OpportunityId = '${dealId}'`);
    const eur = (usd: unknown): number => Number(usd) * 0.5;
    w.sb.sf.update('Opportunity', dealId, { CurrencyIsoCode: 'EUR', Amount: eur(deal?.['Amount']) });
    for (const l of lines) {
      w.sb.sf.update('OpportunityLineItem', String(l['Id']), { CurrencyIsoCode: 'EUR', UnitPrice: eur(l['UnitPrice']), TotalPrice: eur(l['TotalPrice']), Cost__c: eur(l['Cost__c']) });
    }
    w.sb.resetCalls();
    const second = await w.sync();
    expect(second.run.status).toBe('succeeded');
    expect(second.run.counts.pulled['opportunities']).toBeGreaterThan(0);
    expect(second.plan?.writes).toEqual([]);
    expect(writeCalls(w.sb.calls())).toBe(0);
    expectWrittenAsAnalysed(w, SEED);
  });
});
