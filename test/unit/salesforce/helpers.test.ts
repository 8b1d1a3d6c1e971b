import { describe, expect, it } from 'vitest';
import { parseLimitInfo } from '../../../connectors/salesforce/client.ts';
import { toIngestCsv } from '../../../connectors/salesforce/bulk-ingest.ts';
import { salesforceOptionsSchema } from '../../../connectors/salesforce/options.ts';
import { SalesforceConnector } from '../../../connectors/salesforce/index.ts';
import { afterCursorCondition, soqlDateTime, soqlString } from '../../../connectors/salesforce/query.ts';
import { classifyWriteError, parseBulkError } from '../../../connectors/salesforce/write-errors.ts';
import { CrmError } from '../../../src/contract/errors.ts';

describe('SOQL text', () => {
  it('escapes string literals', () => {
    expect(soqlString("O'Brien \\ Co")).toBe("'O\\'Brien \\\\ Co'");
  });
  it('writes datetime literals in UTC, without milliseconds when there are none', () => {
    expect(soqlDateTime('2026-06-30T12:00:00.000+02:00')).toBe('2026-06-30T10:00:00Z');
    expect(soqlDateTime('2026-06-30T10:00:00.250Z')).toBe('2026-06-30T10:00:00.250Z');
  });
  it('builds the keyset condition of the incremental cursor', () => {
    expect(afterCursorCondition('2026-06-30T10:00:00.000Z', '003Kf0000000001AAA')).toBe(
      "(SystemModstamp > 2026-06-30T10:00:00Z OR (SystemModstamp = 2026-06-30T10:00:00Z AND Id > '003Kf0000000001AAA'))",
    );
  });
  it('leaves the id out of the cursor condition until it holds a real record id', () => {
    for (const id of ['', '003A', '003Kf0000000001AAAA', "003Kf000000'001"]) {
      expect(afterCursorCondition('2026-06-30T10:00:00.000Z', id)).toBe('SystemModstamp >= 2026-06-30T10:00:00Z');
    }
  });
});

describe('Sforce-Limit-Info', () => {
  it('reads api-usage, with or without other parts', () => {
    expect(parseLimitInfo('api-usage=25/15000')).toEqual({ used: 25, max: 15000 });
    expect(parseLimitInfo('api-usage=7/100; api-bursts=1/750')).toEqual({ used: 7, max: 100 });
    expect(parseLimitInfo(undefined)).toBeNull();
    expect(parseLimitInfo('per-app-api-usage=1/5')).toBeNull();
    expect(parseLimitInfo('per-app-api-usage=1/5(appName=x); api-usage=9/50')).toEqual({ used: 9, max: 50 });
  });
});

describe('write errors', () => {
  it('classifies codes as transient, config or bad data', () => {
    expect(classifyWriteError('UNABLE_TO_LOCK_ROW')).toBe('transient');
    expect(classifyWriteError('SOMETHING', 503)).toBe('transient');
    expect(classifyWriteError('INVALID_FIELD')).toBe('config');
    expect(classifyWriteError('INSUFFICIENT_ACCESS_OR_READONLY')).toBe('config');
    expect(classifyWriteError('FIELD_CUSTOM_VALIDATION_EXCEPTION')).toBe('bad-data');
    expect(classifyWriteError('STRING_TOO_LONG')).toBe('bad-data');
  });
  it('splits a Bulk API sf__Error', () => {
    expect(parseBulkError('UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--')).toEqual({ code: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record' });
    expect(parseBulkError('weird')).toEqual({ code: 'UNKNOWN', message: 'weird' });
  });
  it('writes ingest CSV: blank leaves a field, #N/A clears it, quotes when needed', () => {
    expect(toIngestCsv([{ id: 'A1', values: { F__c: 'a,b', G__c: null } }, { id: 'A2', values: { G__c: ' x' } }], ['F__c', 'G__c'])).toBe('Id,F__c,G__c\nA1,"a,b",#N/A\nA2,," x"\n');
  });
});

describe('options', () => {
  it('fills the documented defaults', () => {
    const o = salesforceOptionsSchema.parse({ instanceUrl: 'https://x.my.salesforce.com/', accessToken: 't' });
    expect(o).toMatchObject({
      instanceUrl: 'https://x.my.salesforce.com',
      loginUrl: 'https://login.salesforce.com',
      apiVersion: '62.0',
      bulkReadThreshold: 10000,
      bulkWriteThreshold: 10000,
      apiReserve: 0.2,
      offeringFamilyField: 'Family',
      pageSize: 2000,
      lookbackSeconds: 300,
      extraAccountFields: [],
    });
  });
  it('names what is wrong', () => {
    expect(() => new SalesforceConnector({ accessToken: 't' })).toThrow(/instanceUrl: an accessToken needs the instanceUrl/);
    expect(() => new SalesforceConnector({ refreshToken: 'r' })).toThrow(/clientId/);
    expect(() => new SalesforceConnector({ instanceUrl: 'https://x.test', accessToken: 't', costField: 'Cost; DROP' })).toThrow(/costField: expected a Salesforce field API name/);
    expect(() => new SalesforceConnector({ instanceUrl: 'https://x.test', accessToken: 't', pageSize: 50 })).toThrow(CrmError);
  });
  it('does not echo secrets in its errors', () => {
    let message = '';
    try {
      new SalesforceConnector({ refreshToken: 'very-secret-refresh', clientSecret: 'very-secret' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('clientId');
    expect(message).not.toContain('very-secret');
  });
});

describe('SalesforceConnector.pushBatching', () => {
  it('uses sObject Collections of 200 up to the bulk threshold, and Bulk API jobs of at most 50,000 rows past it', () => {
    const c = new SalesforceConnector({ instanceUrl: 'https://x.test', accessToken: 't', bulkWriteThreshold: 1000 });
    expect(c.pushBatching(1000)).toEqual({ size: 200, bulk: false });
    expect(c.pushBatching(1001)).toEqual({ size: 1001, bulk: true });
    expect(c.pushBatching(120_000)).toEqual({ size: 50_000, bulk: true });
  });
});
