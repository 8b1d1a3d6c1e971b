import type { NextFunction, Request, Response } from 'express';
import { dropAnswer, malformAnswer, sleep } from '../faults.ts';
import { sendSfError, type SfContext } from './context.ts';
import { allowsRestApi } from './scopes.ts';

/** Names calls by endpoint for the call counter. */
export function classifySfCall(method: string, path: string): string {
  const p = path.replace(/^\/services\/data\/v[\d.]+/, '');
  if (/^\/query\/[^/]+$/.test(p)) return 'queryMore';
  if (p === '/query' || p === '/query/') return 'query';
  if (p === '/queryAll' || p === '/queryAll/') return 'queryAll';
  if (p.startsWith('/composite/sobjects')) return method === 'PATCH' ? 'collectionsUpdate' : `collections${method}`;
  if (p.startsWith('/tooling/')) return 'tooling';
  if (p.startsWith('/jobs/query')) return 'bulkQuery';
  if (p.startsWith('/jobs/ingest')) return 'bulkIngest';
  if (/^\/sobjects\/[^/]+\/describe/.test(p)) return 'describe';
  if (/^\/sobjects\/[^/]+\/(updated|deleted)/.test(p)) return p.includes('/updated') ? 'getUpdated' : 'getDeleted';
  // Upsert by external id: Kamflow's run status, apart from the account writes.
  if (method === 'PATCH' && /^\/sobjects\/[^/]+\/[^/]+\/[^/]+$/.test(p)) return 'sobjectUpsert';
  if (p.startsWith('/sobjects')) return `sobject${method}`;
  if (p.startsWith('/limits')) return 'limits';
  if (path.startsWith('/services/oauth2/userinfo') || path.startsWith('/id/')) return 'identity';
  return 'other';
}

/** Requests that change the org: an sObject Collections update, a Bulk ingest job created or closed. */
function appliesRecords(method: string, path: string): boolean {
  const p = path.replace(/^\/services\/data\/v[\d.]+/, '');
  return (method === 'PATCH' && p.startsWith('/composite/sobjects')) || (method === 'PATCH' && /^\/jobs\/ingest\/[^/]+$/.test(p)) || (method === 'POST' && p === '/jobs/ingest');
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  if (h && /^(Bearer|OAuth) /i.test(h)) return h.replace(/^(Bearer|OAuth) /i, '').trim();
  const q = req.query['oauth_token'];
  return typeof q === 'string' ? q : null;
}

/** Why an authenticated call is refused, before it reaches its route. */
export interface SfRefusal {
  status: number;
  errorCode: string;
  message: string;
}

/**
 * The checks every authenticated Salesforce call passes, whatever its API (REST, Bulk, SOAP):
 * latency, token check (with the expired-token fault), the daily allowance, injected failures.
 * Counts the call. Returns why it is refused, or null.
 */
export async function admitSfCall(ctx: SfContext, kind: string, token: string | null): Promise<SfRefusal | null> {
  ctx.calls.add('salesforce', kind);
  const info = token ? ctx.tokens.lookup(token) : undefined;
  const decision = ctx.faults.decide(info?.serial ?? 0);
  await sleep(decision.delayMs);
  if (!info || info.crm !== 'salesforce' || info.kind !== 'access' || info.revoked || decision.outcome === 'expired-token') {
    return { status: 401, errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' };
  }
  // A session whose token lacks the api scope may not call the REST, Bulk or SOAP APIs.
  if (!allowsRestApi(info.scopes) && kind !== 'identity') {
    return { status: 401, errorCode: 'INVALID_SESSION_ID', message: 'This session is not valid for use with the REST API' };
  }
  if (ctx.store.apiUsed >= ctx.store.dailyLimit) {
    return { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' };
  }
  ctx.store.apiUsed += 1;
  if (decision.outcome === 'rate-limit') {
    return { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' };
  }
  if (decision.outcome === 'server-error') {
    return { status: ctx.faults.serverStatus(), errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable. Please try again later.' };
  }
  return null;
}

/**
 * Runs before every authenticated Salesforce REST call: the common checks, and the
 * Sforce-Limit-Info header on every answer.
 */
export function sfApiGate(ctx: SfContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const refusal = await admitSfCall(ctx, classifySfCall(req.method, req.path), bearer(req));
    res.setHeader('Sforce-Limit-Info', ctx.store.limitHeader());
    if (refusal) {
      sendSfError(res, refusal.status, refusal.errorCode, refusal.message);
      return;
    }
    const malformed = ctx.faults.malformed();
    if (malformed && malformAnswer(malformed, res) === 'answered') return;
    if (appliesRecords(req.method, req.path) && ctx.faults.dropsAnswer()) dropAnswer(req, res);
    next();
  };
}

/** Accepts any `vNN.N` version, as the real API does for its supported versions. */
export function sfVersion(req: Request): string {
  const v = req.params['version'];
  return typeof v === 'string' ? v.replace(/^v/, '') : '62.0';
}
