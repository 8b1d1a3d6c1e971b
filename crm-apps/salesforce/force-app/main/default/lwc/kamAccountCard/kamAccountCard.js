import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import { gql, graphql } from 'lightning/uiGraphQLApi';
import { NavigationMixin } from 'lightning/navigation';
import TIER from '@salesforce/schema/Account.KAM_Tier__c';
import SCORE from '@salesforce/schema/Account.KAM_Score__c';
import WHY from '@salesforce/schema/Account.KAM_Why__c';
import REASONS from '@salesforce/schema/Account.KAM_Reasons__c';
import REVENUE_SHARE from '@salesforce/schema/Account.KAM_Revenue_Share__c';
import PENETRATION from '@salesforce/schema/Account.KAM_Penetration__c';
import WHITESPACE from '@salesforce/schema/Account.KAM_Whitespace_Value__c';
import OFFERS from '@salesforce/schema/Account.KAM_Next_Best_Offers__c';
import COVERAGE from '@salesforce/schema/Account.KAM_Contact_Coverage__c';
import RISKS from '@salesforce/schema/Account.KAM_Risks__c';
import PARENT from '@salesforce/schema/Account.KAM_Ultimate_Parent__c';
import UPDATED_AT from '@salesforce/schema/Account.KAM_Updated_At__c';
import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import { formatScore, freshness, freshnessTexts, isNotTiered, parseCoverage, parseOffers, parseReasons, parseRisks, parseUltimateParent } from './kamText';

// Optional: a rep without access to one field still sees the others instead of an error.
const FIELDS = [TIER, SCORE, WHY, REASONS, REVENUE_SHARE, PENETRATION, WHITESPACE, OFFERS, COVERAGE, RISKS, PARENT, UPDATED_AT];

const TIER_CLASS = {
    Key: 'kam-tier kam-tier_key',
    Develop: 'kam-tier kam-tier_develop',
    Maintain: 'kam-tier kam-tier_maintain',
    Standard: 'kam-tier kam-tier_standard'
};

const OUTCOME_ICON = {
    pass: { icon: 'utility:success', variant: 'success', alt: 'Passes' },
    fail: { icon: 'utility:close', variant: 'error', alt: 'Fails' },
    noData: { icon: 'utility:dash', variant: '', alt: 'No data' }
};

/**
 * Kamflow's card on the Account record page: everything comes from the record's own KAM_* fields
 * through Lightning Data Service, and the run status from the KAM_Run__c record Kamflow updates once
 * per run (GraphQL wire adapter). No Apex, no callout.
 */
export default class KamAccountCard extends NavigationMixin(LightningElement) {
    @api recordId;

    record;
    recordError;
    run;
    parentUrl;

    @wire(getRecord, { recordId: '$recordId', optionalFields: FIELDS })
    wiredRecord({ data, error }) {
        this.record = data;
        this.recordError = error;
        this.updateParentUrl();
    }

    @wire(graphql, {
        query: gql`
            query kamflowRunStatus {
                uiapi {
                    query {
                        KAM_Run__c(first: 1, orderBy: { Last_Run_Finished_At__c: { order: DESC } }) {
                            edges {
                                node {
                                    Id
                                    Last_Run_Finished_At__c {
                                        value
                                    }
                                    Next_Run_Due_By__c {
                                        value
                                    }
                                }
                            }
                        }
                    }
                }
            }
        `
    })
    wiredRun({ data, errors }) {
        // Without the run status (no record yet, no access) the card still shows the values, without a freshness claim.
        const node = !errors && data ? data.uiapi?.query?.KAM_Run__c?.edges?.[0]?.node : undefined;
        this.run = node ? { finishedAt: node.Last_Run_Finished_At__c?.value ?? null, dueBy: node.Next_Run_Due_By__c?.value ?? null } : null;
    }

    value(field) {
        return this.record ? getFieldValue(this.record, field) : undefined;
    }

    get loading() {
        return !this.record && !this.recordError;
    }

    get errorText() {
        if (!this.recordError) return '';
        const body = this.recordError.body;
        const message = Array.isArray(body) ? body.map((b) => b.message).join('; ') : body?.message;
        return `Kamflow's values could not be loaded: ${message || 'unknown error'}`;
    }

    get status() {
        return freshness({
            tier: this.value(TIER),
            updatedAt: this.value(UPDATED_AT),
            lastRunFinishedAt: this.run?.finishedAt ?? null,
            nextRunDueBy: this.run?.dueBy ?? null,
            now: Date.now(),
            reasons: this.value(REASONS)
        });
    }

    get notAnalysed() {
        return this.status.state === 'not-analysed';
    }

    get texts() {
        return freshnessTexts(this.status, LOCALE, TIME_ZONE);
    }

    get notAnalysedText() {
        return this.texts.notAnalysed;
    }

    get staleText() {
        return this.texts.stale;
    }

    get footerText() {
        return this.texts.footer;
    }

    get tier() {
        return this.value(TIER) || (isNotTiered(this.value(REASONS)) ? 'Not tiered' : '');
    }

    get dataIssues() {
        return this.reasons.dataIssues.map((text, i) => ({ key: `d${i}`, text }));
    }

    get hasDataIssues() {
        return this.dataIssues.length > 0;
    }

    get tierClass() {
        return TIER_CLASS[this.tier] ?? 'kam-tier';
    }

    get scoreText() {
        return formatScore(this.value(SCORE));
    }

    get hasScore() {
        return this.scoreText !== '';
    }

    get why() {
        return this.value(WHY) || this.reasons.summary || '';
    }

    get reasons() {
        return parseReasons(this.value(REASONS));
    }

    get overrides() {
        return this.reasons.overrides.map((text, i) => ({ key: `o${i}`, text }));
    }

    get criteria() {
        return this.reasons.criteria.map((c, i) => ({ key: `c${i}`, text: c.text, ...OUTCOME_ICON[c.outcome] }));
    }

    get otherReasonLines() {
        return this.reasons.other.map((text, i) => ({ key: `x${i}`, text }));
    }

    get nearest() {
        return this.reasons.nearest;
    }

    get offers() {
        return parseOffers(this.value(OFFERS)).map((o, i) => ({ key: `n${i}`, ...o }));
    }

    get hasOffers() {
        return this.offers.length > 0;
    }

    get coverage() {
        return parseCoverage(this.value(COVERAGE));
    }

    get coverageText() {
        const c = this.coverage;
        if (!c) return this.value(COVERAGE) || 'No contact count yet';
        const against = `${c.count} active contact${c.count === 1 ? '' : 's'} (target ${c.min}-${c.max})`;
        if (c.status === 'under') return `${against}: ${c.min - c.count} short of the target`;
        return c.status === 'over' ? `${against}: above the target` : `${against}: on target`;
    }

    get coverageClass() {
        return this.coverage?.status === 'under' ? 'kam-coverage kam-coverage_under' : 'kam-coverage';
    }

    get risks() {
        return parseRisks(this.value(RISKS)).map((r, i) => ({ key: `r${i}`, ...r, detailText: r.label ? `: ${r.detail}` : r.detail }));
    }

    get hasRisks() {
        return this.risks.length > 0;
    }

    get revenueShare() {
        return this.percent(this.value(REVENUE_SHARE));
    }

    get penetration() {
        return this.percent(this.value(PENETRATION));
    }

    get whitespaceValue() {
        const v = this.value(WHITESPACE);
        return typeof v === 'number' ? v : null;
    }

    percent(v) {
        // The fields hold 0..100; lightning-formatted-number's percent style wants 0..1.
        return typeof v === 'number' ? v / 100 : null;
    }

    get parent() {
        return parseUltimateParent(this.value(PARENT));
    }

    get isOwnParent() {
        return this.parent !== null && this.parent.id === this.recordId;
    }

    get showParentLink() {
        return this.parent !== null && !this.isOwnParent;
    }

    get parentReference() {
        return { type: 'standard__recordPage', attributes: { recordId: this.parent?.id, objectApiName: 'Account', actionName: 'view' } };
    }

    updateParentUrl() {
        if (!this.showParentLink) {
            this.parentUrl = undefined;
            return;
        }
        this[NavigationMixin.GenerateUrl](this.parentReference).then((url) => {
            this.parentUrl = url;
        });
    }

    openParent(event) {
        event.preventDefault();
        this[NavigationMixin.Navigate](this.parentReference);
    }
}
