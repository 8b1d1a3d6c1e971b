import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SourceId } from '../../contract/connector.ts';
import type { CompleteInstallResult, ConsoleBackend } from '../backend.ts';
import type { ServerConfig } from '../config.ts';
import { parseOr400, requireLogin, sessionOf } from '../http.ts';
import type { Logger } from '../../log.ts';
import { codeChallengeS256, createCodeVerifier } from '../pkce.ts';
import { randomToken, type Session } from '../sessions.ts';
import { messagePage } from '../views/auth.ts';
import { installErrorPage, type InstallProblem } from '../views/install.ts';

export interface ConnectDeps {
  backend: ConsoleBackend;
  config: ServerConfig;
  logger: Logger;
  now: () => number;
}

/** How long the admin has to get through the CRM's consent screen. */
export const INSTALL_STATE_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING_INSTALLS = 5;

const CrmParam = z.object({ crm: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'not a source id') });
/** The start request's choices, read by the source's module; only short plain values get that far. */
const BeginQuery = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/), z.string().max(300)).refine((q) => Object.keys(q).length <= 10, 'too many parameters');
const CallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

const PROBLEMS = {
  noSession: {
    status: 401, title: 'your session ended',
    what: 'The console session that started this install has ended (logged out or idle too long).',
    todo: 'Log in again and start the install from the connections page.',
  },
  badState: {
    status: 400, title: 'unknown or reused install link',
    what: 'The answer from the CRM does not belong to an install started in this browser session, or it was already used.',
    todo: 'Start the install again from the connections page, in the same browser.',
  },
  expiredState: {
    status: 400, title: 'the install took too long',
    what: 'More than 10 minutes passed between starting the install and coming back from the consent screen.',
    todo: 'Start the install again and approve it within 10 minutes.',
  },
  denied: {
    status: 403, title: 'access was declined',
    what: 'The consent screen was cancelled or access was declined, so Kamflow got no permission.',
    todo: 'Start the install again and choose Allow, as a user with admin rights in the CRM.',
  },
  crmError: {
    status: 400, title: 'the CRM refused the request',
    what: 'The CRM answered with an error instead of an authorization code.',
    todo: 'Check that the app is set up for this org or portal (callback URL, scopes), then start again.',
  },
  noCode: {
    status: 400, title: 'no authorization code',
    what: 'The CRM came back without an authorization code.',
    todo: 'Start the install again from the connections page.',
  },
  'expired-code': {
    status: 400, title: 'the authorization code expired',
    what: 'The authorization code expired or was already used before Kamflow could exchange it.',
    todo: 'Start the install again; the code is only valid for a few minutes.',
  },
  'missing-scope': {
    status: 400, title: 'permissions are missing',
    what: 'The CRM granted fewer permissions than Kamflow needs to read records and write its fields.',
    todo: 'Start the install again and approve every requested permission (or ask a super admin to install).',
  },
  'not-authorized': {
    status: 403, title: 'the user may not install apps',
    what: 'The CRM user who approved the install lacks the rights Kamflow needs (for example to create fields).',
    todo: 'Install again as a system administrator (Salesforce) or super admin (HubSpot).',
  },
  provisioning: {
    status: 502, title: "Kamflow's fields could not be created",
    what: "The CRM accepted the install, but creating Kamflow's fields failed, so the install was undone.",
    todo: 'Check the field limits and permissions in the CRM, then start the install again.',
  },
  unavailable: {
    status: 502, title: 'the CRM could not be reached',
    what: 'The CRM did not answer, or answered with a server error.',
    todo: 'Wait a few minutes and start the install again.',
  },
  failed: {
    status: 500, title: 'an internal error',
    what: 'Kamflow failed while finishing the install.',
    todo: 'Start the install again; if it keeps failing, check the server log.',
  },
} satisfies Record<string, InstallProblem>;

function redirectUri(config: ServerConfig, crm: SourceId): string {
  return `${config.publicUrl}/connect/${crm}/callback`;
}

function prunePending(session: Session, now: number): void {
  for (const [state, p] of session.installs) if (p.expiresAt <= now) session.installs.delete(state);
  while (session.installs.size >= MAX_PENDING_INSTALLS) {
    const oldest = session.installs.keys().next();
    if (oldest.done) break;
    session.installs.delete(oldest.value);
  }
}

export function connectRoutes(deps: ConnectDeps): Router {
  const { backend, config, logger, now } = deps;
  const router = Router();
  const badRequestPage = (req: Request) => (m: string) => messagePage(sessionOf(req), 'Bad request', m);

  const labelOf = async (crm: SourceId): Promise<string> => (await backend.listSources()).find((s) => s.kind === crm)?.label ?? crm;
  const fail = async (req: Request, res: Response, crm: SourceId, problem: InstallProblem, detail: string | null = null): Promise<void> => {
    res.status(problem.status).type('html').send(installErrorPage(sessionOf(req), await labelOf(crm), problem, detail));
  };

  router.get('/connect/:crm', requireLogin, async (req, res) => {
    const params = parseOr400(CrmParam, req.params, 'params', req, res, badRequestPage(req));
    if (!params) return;
    const query = parseOr400(BeginQuery, req.query, 'query', req, res, badRequestPage(req));
    if (!query) return;
    const session = sessionOf(req);
    if (!session) return;
    const crm = params.crm;
    const state = randomToken();
    const codeVerifier = createCodeVerifier();
    const begun = await backend.beginInstall({
      crm, params: query, state, codeChallenge: codeChallengeS256(codeVerifier), redirectUri: redirectUri(config, crm),
    });
    if (!begun.ok) {
      logger.warn({ crm, reason: begun.reason }, 'install could not start');
      if (begun.reason === 'unknown-source') {
        res.status(404).type('html').send(messagePage(session, 'Not found', begun.message));
      } else if (begun.reason === 'bad-request') {
        res.status(400).type('html').send(messagePage(session, 'Bad install request', begun.message));
      } else {
        res.status(503).type('html').send(messagePage(session, `${await labelOf(crm)} install is not available`, begun.message));
      }
      return;
    }
    const t = now();
    prunePending(session, t);
    session.installs.set(state, { crm, params: begun.params, codeVerifier, expiresAt: t + INSTALL_STATE_TTL_MS });
    res.redirect(302, begun.authorizeUrl);
  });

  router.get('/connect/:crm/callback', async (req, res) => {
    const params = parseOr400(CrmParam, req.params, 'params', req, res, badRequestPage(req));
    if (!params) return;
    const query = parseOr400(CallbackQuery, req.query, 'query', req, res, badRequestPage(req));
    if (!query) return;
    const crm = params.crm;
    const session = sessionOf(req);
    if (!session?.user) return void await fail(req, res, crm, PROBLEMS.noSession);
    const pending = query.state ? session.installs.get(query.state) : undefined;
    // Single use: whatever happens next, this state cannot be presented again.
    if (query.state) session.installs.delete(query.state);
    if (!pending || pending.crm !== crm) return void await fail(req, res, crm, PROBLEMS.badState);
    if (pending.expiresAt <= now()) return void await fail(req, res, crm, PROBLEMS.expiredState);
    if (query.error) {
      const problem = query.error === 'access_denied' ? PROBLEMS.denied : PROBLEMS.crmError;
      return void await fail(req, res, crm, problem, query.error_description ?? query.error);
    }
    if (!query.code) return void await fail(req, res, crm, PROBLEMS.noCode);

    let result: CompleteInstallResult;
    try {
      result = await backend.completeInstall({
        crm, params: pending.params, code: query.code, codeVerifier: pending.codeVerifier, redirectUri: redirectUri(config, crm),
      });
    } catch (e) {
      logger.error({ crm, err: e instanceof Error ? e.name : 'unknown' }, 'install failed with an exception');
      return void await fail(req, res, crm, PROBLEMS.failed);
    }
    if (!result.ok) {
      logger.warn({ crm, reason: result.reason }, 'install refused');
      return void await fail(req, res, crm, PROBLEMS[result.reason], result.message);
    }
    logger.info({ crm, connectionId: result.connectionId }, 'connection installed');
    session.flash = result.reconnected
      ? { kind: 'ok', message: `${result.name} was already connected as ${result.connectionId}: Kamflow kept that one connection and replaced its tokens; its data and history are kept.` }
      : { kind: 'ok', message: `${await labelOf(crm)} connected: ${result.name}. The first sync is scheduled.` };
    res.redirect(303, `/connections/${encodeURIComponent(result.connectionId)}`);
  });

  return router;
}
