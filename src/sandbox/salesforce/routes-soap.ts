import express, { type Request, type Response, type Router } from 'express';
import type { SfContext } from './context.ts';
import { admitSfCall } from './middleware.ts';

/**
 * The one SOAP API (partner WSDL) call the connectors make: `getUserInfo`, the documented source
 * of a single-currency org's currency (GetUserInfoResult.orgDefaultCurrencyIsoCode, "applicable
 * only when organizationMultiCurrency is false"; developer.salesforce.com, SOAP API Developer
 * Guide, getUserInfoResult). Faults come back as HTTP 500 with `sf:` fault codes, as SOAP does.
 */

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function element(name: string, value: string | number | boolean | null): string {
  return value === null ? `<${name} xsi:nil="true"/>` : `<${name}>${escapeXml(String(value))}</${name}>`;
}

function fault(res: Response, code: string, message: string): void {
  res
    .status(500)
    .type('text/xml')
    .send(`${ENVELOPE_OPEN}<soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${escapeXml(`${code}: ${message}`)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`);
}

/** The text of the first element with this local name (any namespace prefix), or null. */
function elementText(xml: string, local: string): string | null {
  const m = new RegExp(`<(?:[A-Za-z0-9_]+:)?${local}(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z0-9_]+:)?${local}>`).exec(xml);
  return m?.[1] ?? null;
}

export function salesforceSoapRoutes(ctx: SfContext): Router {
  const r = express.Router();
  const xml = express.text({ type: ['text/xml', 'application/soap+xml'], limit: '1mb' });

  r.post('/services/Soap/u/:version', xml, async (req: Request, res: Response) => {
    if (!/^\d+\.\d$/.test(String(req.params['version']))) {
      fault(res, 'UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL: ${String(req.params['version'])}`);
      return;
    }
    const body = typeof req.body === 'string' ? req.body : '';
    if (!/<(?:[A-Za-z0-9_]+:)?Envelope[\s>]/.test(body) || !/<(?:[A-Za-z0-9_]+:)?Body[\s>]/.test(body)) {
      fault(res, 'INVALID_XML', 'The request is not a SOAP envelope');
      return;
    }
    const refusal = await admitSfCall(ctx, 'getUserInfo', elementText(body, 'sessionId'));
    if (refusal) {
      fault(res, refusal.errorCode === 'SERVER_UNAVAILABLE' ? 'SERVER_UNAVAILABLE' : refusal.errorCode, refusal.message);
      return;
    }
    if (!/<(?:[A-Za-z0-9_]+:)?getUserInfo\s*\/?>/.test(body)) {
      fault(res, 'INVALID_OPERATION', 'Only getUserInfo is served by this endpoint');
      return;
    }
    const { store } = ctx;
    const user = store.get('User', store.integrationUserId);
    const multi = store.options.multiCurrency;
    const corporate = store.options.corporateCurrency;
    const fields: [string, string | number | boolean | null][] = [
      ['accessibilityMode', false],
      ['chatterExternal', false],
      ['currencySymbol', multi ? null : corporate === 'EUR' ? '€' : corporate === 'GBP' ? '£' : '$'],
      ['orgAttachmentFileSizeLimit', 5242880],
      ['orgDefaultCurrencyIsoCode', multi ? null : corporate],
      ['orgDefaultCurrencyLocale', multi ? null : 'en_US'],
      ['orgDisallowHtmlAttachments', false],
      ['orgHasPersonAccounts', false],
      ['organizationId', store.orgId],
      ['organizationMultiCurrency', multi],
      ['organizationName', 'Kamflow Sandbox'],
      ['profileId', '00eKf000000000AAAA'],
      ['roleId', null],
      ['sessionSecondsValid', 7200],
      ['userDefaultCurrencyIsoCode', multi ? corporate : null],
      ['userEmail', typeof user?.['Email'] === 'string' ? user['Email'] : 'integration@sandbox.invalid'],
      ['userFullName', typeof user?.['Name'] === 'string' ? user['Name'] : 'Integration User'],
      ['userId', store.integrationUserId],
      ['userLanguage', 'en_US'],
      ['userLocale', 'en_US'],
      ['userName', 'integration@sandbox.invalid'],
      ['userTimeZone', 'America/Los_Angeles'],
      ['userType', 'Standard'],
      ['userUiSkin', 'Theme3'],
    ];
    const limitInfo = `<LimitInfoHeader><limitInfo><current>${store.apiUsed}</current><limit>${store.dailyLimit}</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader>`;
    res
      .status(200)
      .type('text/xml')
      .send(`${ENVELOPE_OPEN}<soapenv:Header>${limitInfo}</soapenv:Header><soapenv:Body><getUserInfoResponse><result>${fields.map(([k, v]) => element(k, v)).join('')}</result></getUserInfoResponse></soapenv:Body></soapenv:Envelope>`);
  });
  return r;
}
