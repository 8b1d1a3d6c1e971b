import { createElement } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import { graphql } from 'lightning/uiGraphQLApi';
import KamAccountCard from 'c/kamAccountCard';

const mockNavigate = jest.fn();
const mockGenerateUrl = jest.fn(() => Promise.resolve('/lightning/r/Account/001P00000000001/view'));
jest.mock('lightning/navigation', () => {
    const Navigate = Symbol('Navigate');
    const GenerateUrl = Symbol('GenerateUrl');
    const NavigationMixin = (Base) =>
        class extends Base {
            [Navigate](ref) {
                mockNavigate(ref);
            }
            [GenerateUrl](ref) {
                return mockGenerateUrl(ref);
            }
        };
    NavigationMixin.Navigate = Navigate;
    NavigationMixin.GenerateUrl = GenerateUrl;
    return { NavigationMixin };
});

const RECORD_ID = '001A00000000001';
const NOW = Date.parse('2026-11-23T09:00:00.000Z');

const REASONS = [
    '★ Key, score 60.0: revenue share alone is enough',
    '✓ Revenue share 18% (needs 10%): passes, enough on its own for Key',
    '✓ Revenue class A (needs class A): passes',
    '○ Growth (needs +10%): no data, left out of the score',
    '✗ Active contacts 2 (needs 3): fails',
    '→ Drops below Key under 10% revenue share; now 18%'
].join('\n');

function account(values) {
    const fields = {};
    for (const [name, value] of Object.entries(values)) fields[name] = { value, displayValue: value === null ? null : String(value) };
    return { apiName: 'Account', id: RECORD_ID, fields };
}

const KEY_ACCOUNT = {
    KAM_Tier__c: 'Key',
    KAM_Score__c: 60,
    KAM_Why__c: 'Key: 18% of revenue (needs 10%)',
    KAM_Reasons__c: REASONS,
    KAM_Revenue_Share__c: 18,
    KAM_Penetration__c: 25,
    KAM_Whitespace_Value__c: 48000,
    KAM_Next_Best_Offers__c: 'Analytics: 5 of 12 Manufacturing 250-999 buy Analytics; est. 48,000/yr\nSupport Plus: 6 of 12 Manufacturing 250-999 buy Support Plus; est. 9,500/yr',
    KAM_Contact_Coverage__c: '2 contacts (target 3-5)',
    KAM_Risks__c: 'single-threaded: 1 active contact in the family\nstalled: nothing won in the last 6 months (last won 2026-02-01)',
    KAM_Ultimate_Parent__c: '001P00000000001 Acme Holding',
    KAM_Updated_At__c: '2026-11-20T02:10:00.000Z'
};

const NOT_ANALYSED = Object.fromEntries(Object.keys(KEY_ACCOUNT).map((k) => [k, null]));

function runStatus(finishedAt, dueBy) {
    const node = { Id: 'a0R000000000001', Last_Run_Finished_At__c: { value: finishedAt }, Next_Run_Due_By__c: { value: dueBy } };
    return { uiapi: { query: { KAM_Run__c: { edges: [{ node }] } } } };
}

async function render() {
    const element = createElement('c-kam-account-card', { is: KamAccountCard });
    element.recordId = RECORD_ID;
    document.body.appendChild(element);
    await Promise.resolve();
    return element;
}

async function settle() {
    for (let i = 0; i < 4; i++) await Promise.resolve();
}

const q = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);
const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : null);

describe('c-kam-account-card', () => {
    beforeEach(() => {
        jest.spyOn(Date, 'now').mockReturnValue(NOW);
    });
    afterEach(() => {
        while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
        jest.restoreAllMocks();
        mockNavigate.mockClear();
        mockGenerateUrl.mockClear();
    });

    it('reads every KAM field of the record through getRecord, as optional fields', async () => {
        await render();
        const config = getRecord.getLastConfig();
        expect(config.recordId).toBe(RECORD_ID);
        expect(config.optionalFields.map((f) => f.fieldApiName)).toEqual([
            'KAM_Tier__c',
            'KAM_Score__c',
            'KAM_Why__c',
            'KAM_Reasons__c',
            'KAM_Revenue_Share__c',
            'KAM_Penetration__c',
            'KAM_Whitespace_Value__c',
            'KAM_Next_Best_Offers__c',
            'KAM_Contact_Coverage__c',
            'KAM_Risks__c',
            'KAM_Ultimate_Parent__c',
            'KAM_Updated_At__c'
        ]);
    });

    it('shows a spinner until the record arrives, and the error when it cannot be read', async () => {
        const element = await render();
        expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull();
        getRecord.error({ message: 'You do not have access to this record' });
        await settle();
        expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
        expect(text(q(element, 'error'))).toBe("Kamflow's values could not be loaded: You do not have access to this record");
    });

    it('says "not analysed yet" for an account without Kamflow values, with the next run when known', async () => {
        const element = await render();
        getRecord.emit(account(NOT_ANALYSED));
        graphql.emit(runStatus('2026-11-23T02:05:00.000Z', '2026-11-24T04:00:00.000Z'));
        await settle();
        // The test locale is en-US in America/Los_Angeles (sfdx-lwc-jest's @salesforce/i18n values): 04:00 UTC is 20:00 the day before.
        expect(text(q(element, 'not-analysed'))).toBe('Not analysed yet. Kamflow fills this card on its next run, due by Nov 23, 2026, 08:00 PM.');
        expect(q(element, 'tier')).toBeNull();
        expect(q(element, 'reasons')).toBeNull();
    });

    it('shows tier, score, why, reasons with marks, nearest threshold, offers, coverage, risks and parent', async () => {
        const element = await render();
        getRecord.emit(account(KEY_ACCOUNT));
        graphql.emit(runStatus('2026-11-23T02:05:00.000Z', '2026-11-24T04:00:00.000Z'));
        await settle();

        const badge = q(element, 'tier');
        expect(badge.label).toBe('Key');
        expect(badge.className).toContain('kam-tier_key');
        expect(text(q(element, 'score'))).toBe('Score 60.0');
        expect(text(q(element, 'why'))).toBe('Key: 18% of revenue (needs 10%)');

        const reasons = [...q(element, 'reasons').querySelectorAll('li')];
        expect(reasons.map((li) => text(li))).toEqual([
            'Revenue share 18% (needs 10%): passes, enough on its own for Key',
            'Revenue class A (needs class A): passes',
            'Growth (needs +10%): no data, left out of the score',
            'Active contacts 2 (needs 3): fails'
        ]);
        expect(reasons.map((li) => li.querySelector('lightning-icon').iconName)).toEqual(['utility:success', 'utility:success', 'utility:dash', 'utility:close']);
        expect(reasons.map((li) => li.querySelector('lightning-icon').alternativeText)).toEqual(['Passes', 'Passes', 'No data', 'Fails']);
        expect(text(q(element, 'nearest'))).toBe('Drops below Key under 10% revenue share; now 18%');

        const offers = [...q(element, 'offers').querySelectorAll('li')];
        expect(offers.map((li) => [text(li.querySelector('.kam-offer-name')), text(li.querySelector('.kam-offer-evidence'))])).toEqual([
            ['Analytics', '5 of 12 Manufacturing 250-999 buy Analytics; est. 48,000/yr'],
            ['Support Plus', '6 of 12 Manufacturing 250-999 buy Support Plus; est. 9,500/yr']
        ]);

        const coverage = q(element, 'coverage');
        expect(text(coverage)).toBe('2 active contacts (target 3-5): 1 short of the target');
        expect(coverage.className).toContain('kam-coverage_under');

        const risks = [...q(element, 'risks').querySelectorAll('li')];
        expect(risks.map((li) => text(li))).toEqual(['Single-threaded: 1 active contact in the family', 'Stalled: nothing won in the last 6 months (last won 2026-02-01)']);
        expect(risks.map((li) => text(li.querySelector('.kam-risk-label')))).toEqual(['Single-threaded', 'Stalled']);

        // Shares are stored 0..100 and shown through the percent style, which wants 0..1.
        const figures = [...q(element, 'figures').querySelectorAll('lightning-formatted-number')].map((n) => n.value);
        expect(figures).toEqual([0.18, 0.25, 48000]);

        expect(q(element, 'stale')).toBeNull();
        expect(text(q(element, 'freshness'))).toBe('Checked by Kamflow on Nov 22, 2026, 06:05 PM. Last changed Nov 19, 2026.');
    });

    it('links to the ultimate parent record through the navigation service', async () => {
        const element = await render();
        getRecord.emit(account(KEY_ACCOUNT));
        await settle();
        const link = q(element, 'parent-link');
        expect(text(link)).toBe('Acme Holding');
        expect(link.getAttribute('href')).toBe('/lightning/r/Account/001P00000000001/view');
        const ref = { type: 'standard__recordPage', attributes: { recordId: '001P00000000001', objectApiName: 'Account', actionName: 'view' } };
        expect(mockGenerateUrl).toHaveBeenCalledWith(ref);
        link.click();
        expect(mockNavigate).toHaveBeenCalledWith(ref);
    });

    it('shows a family left untiered for its data as analysed, with the data to fix', async () => {
        const element = await render();
        getRecord.emit(account({
            ...KEY_ACCOUNT,
            KAM_Tier__c: null,
            KAM_Why__c: 'Not tiered: because no exchange rate for 1 of 2 opportunities',
            KAM_Reasons__c: '★ Not tiered, score 60.0: data confidence 25% is below 60%\n! 1 of 2 opportunities has amounts in a currency without an exchange rate, left out of revenue: add the rate, then check O2',
            KAM_Risks__c: 'relationship-owner: all 3 known relationships are on deals owned by U1 Ann'
        }));
        graphql.emit(runStatus('2026-11-23T02:05:00.000Z', '2026-11-24T04:00:00.000Z'));
        await settle();
        expect(q(element, 'not-analysed')).toBeNull();
        expect(q(element, 'tier').label).toBe('Not tiered');
        expect(text(q(element, 'why'))).toBe('Not tiered: because no exchange rate for 1 of 2 opportunities');
        expect(text(q(element, 'data-issues'))).toBe(
            'Data to fix before Kamflow can tier this family:1 of 2 opportunities has amounts in a currency without an exchange rate, left out of revenue: add the rate, then check O2'
        );
        expect(text(element.shadowRoot.querySelector('[data-id="risks"]'))).toContain('Relationship owner: all 3 known relationships');
    });

    it('says so when the account is its own ultimate parent', async () => {
        const element = await render();
        getRecord.emit(account({ ...KEY_ACCOUNT, KAM_Ultimate_Parent__c: `${RECORD_ID} Acme Holding` }));
        await settle();
        expect(q(element, 'parent-link')).toBeNull();
        expect(text(q(element, 'parent'))).toBe('This account is the ultimate parent of its family.');
    });

    it('warns that values may be out of date when the next run was due and has not finished', async () => {
        const element = await render();
        getRecord.emit(account(KEY_ACCOUNT));
        // Due at 04:00 on the 22nd; it is 09:00 on the 23rd.
        graphql.emit(runStatus('2026-11-21T02:05:00.000Z', '2026-11-22T04:00:00.000Z'));
        await settle();
        const stale = q(element, 'stale');
        expect(text(stale)).toBe('These values may be out of date: Kamflow last finished a run on Nov 20, 2026, 06:05 PM and the next run was due by Nov 21, 2026, 08:00 PM.');
        // The values are still shown, and no "checked" claim is made.
        expect(q(element, 'tier').label).toBe('Key');
        expect(text(q(element, 'freshness'))).toBe('Last changed Nov 19, 2026.');
    });

    it('makes no freshness claim without a run status, and handles empty offers and risks', async () => {
        const element = await render();
        getRecord.emit(
            account({
                ...KEY_ACCOUNT,
                KAM_Tier__c: 'Standard',
                KAM_Score__c: 0,
                KAM_Why__c: null,
                KAM_Reasons__c: '★ Standard, score 0.0: no other tier applies',
                KAM_Next_Best_Offers__c: null,
                KAM_Risks__c: '',
                KAM_Contact_Coverage__c: '4 contacts (target 3-5)'
            })
        );
        graphql.emit({ uiapi: { query: { KAM_Run__c: { edges: [] } } } });
        await settle();
        expect(q(element, 'tier').className).toContain('kam-tier_standard');
        expect(text(q(element, 'score'))).toBe('Score 0.0');
        // Without a why line the summary stands in.
        expect(text(q(element, 'why'))).toBe('Standard, score 0.0: no other tier applies');
        expect(q(element, 'reasons').querySelectorAll('li')).toHaveLength(0);
        expect(q(element, 'nearest')).toBeNull();
        expect(text(q(element, 'no-offers'))).toContain('No suggestion');
        expect(text(q(element, 'no-risks'))).toBe('No risks flagged.');
        expect(text(q(element, 'coverage'))).toBe('4 active contacts (target 3-5): on target');
        expect(q(element, 'stale')).toBeNull();
        expect(text(q(element, 'freshness'))).toBe('Last changed Nov 19, 2026.');
    });

    it('shows an override line prominently and keeps lines it does not know as plain text', async () => {
        const element = await render();
        const reasons = `★ Key, score 45.0: overridden\n⚑ Overridden by Dana Lee until 2027-03-31: strategic partner\n${'✓ Revenue share 18% (needs 10%): passes'}\nA note without a mark`;
        getRecord.emit(account({ ...KEY_ACCOUNT, KAM_Reasons__c: reasons }));
        await settle();
        expect(text(q(element, 'override'))).toBe('Overridden by Dana Lee until 2027-03-31: strategic partner');
        expect([...q(element, 'reasons').querySelectorAll('li')].map((li) => text(li))).toEqual(['Revenue share 18% (needs 10%): passes', 'A note without a mark']);
    });

    it('treats a run status it cannot read as unknown rather than failing', async () => {
        const element = await render();
        getRecord.emit(account(KEY_ACCOUNT));
        graphql.emitErrors([{ message: 'No access to KAM_Run__c' }]);
        await settle();
        expect(q(element, 'tier').label).toBe('Key');
        expect(q(element, 'stale')).toBeNull();
        expect(text(q(element, 'freshness'))).toBe('Last changed Nov 19, 2026.');
    });
});
