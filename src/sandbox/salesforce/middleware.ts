import type { NextFunction, Request, Response } from 'express';
import { sleep } from '../faults.ts';
import { sendSfError, type SfContext } from './context.ts';

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
  if (p.startsWith('/sobjects')) return `sobject${method}`;
  if (p.startsWith('/limits')) return 'limits';
  if (path.startsWith('/services/oauth2/userinfo') || path.startsWith('/id/')) return 'identity';
  return 'other';
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  if (h && /^(Bearer|OAuth) /i.test(h)) return h.replace(/^(Bearer|OAuth) /i, '').trim();
  const q = req.query['oauth_token'];
  return typeof q === 'string' ? q : null;
}

/**
 * Runs before every authenticated Salesforce call: latency, token check (with the expired-token
 * fault), the daily allowance, injected failures, and the Sforce-Limit-Info header.
 */
export function sfApiGate(ctx: SfContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    ctx.calls.add('salesforce', classifySfCall(req.method, req.path));
    const token = bearer(req);
    const info = token ? ctx.tokens.lookup(token) : undefined;
    const decision = ctx.faults.decide(info?.serial ?? 0);
    await sleep(decision.delayMs);
    res.setHeader('Sforce-Limit-Info', ctx.store.limitHeader());
    if (!info || info.crm !== 'salesforce' || info.kind !== 'access' || info.revoked || decision.outcome === 'expired-token') {
      sendSfError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      return;
    }
    if (ctx.store.apiUsed >= ctx.store.dailyLimit) {
      sendSfError(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      return;
    }
    ctx.store.apiUsed += 1;
    res.setHeader('Sforce-Limit-Info', ctx.store.limitHeader());
    if (decision.outcome === 'rate-limit') {
      sendSfError(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
      return;
    }
    if (decision.outcome === 'server-error') {
      sendSfError(res, ctx.faults.serverStatus(), 'SERVER_UNAVAILABLE', 'Server temporarily unavailable. Please try again later.');
      return;
    }
    next();
  };
}

/** Accepts any `vNN.N` version, as the real API does for its supported versions. */
export function sfVersion(req: Request): string {
  const v = req.params['version'];
  return typeof v === 'string' ? v.replace(/^v/, '') : '62.0';
}
