import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { BadInputError } from '../../contract/errors.ts';
import { createLogger } from '../../log.ts';
import type { ConsoleBackend } from '../../server/backend.ts';
import { loadServerConfig, placeholderSettings, ServerConfigError, type ServerConfig } from '../../server/config.ts';
import { isPasswordHash } from '../../server/password.ts';
import { randomToken } from '../../server/sessions.ts';
import { startServer, type BackendFactory } from '../../server/start.ts';

export type { BackendFactory };

const USAGE = `Usage: kamflow serve [--host HOST] [--port PORT] [--demo]

Runs the install server and admin console until stopped (SIGINT or SIGTERM).
Settings come from the environment (KAMFLOW_PUBLIC_URL, KAMFLOW_ADMIN_PASSWORD_HASH,
KAMFLOW_SESSION_SECRET, each source's app credentials, ...); --host and --port override
KAMFLOW_HOST and KAMFLOW_PORT. It refuses to start while a setting still holds a placeholder
of .env.example (replace-with-..., your-..., example.com) unless --demo says this is a demo.`;

function parseFlags(argv: string[]): { host?: string; port?: string; demo?: boolean } {
  const out: { host?: string; port?: string; demo?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--demo') {
      out.demo = true;
    } else if ((flag === '--host' || flag === '--port') && value !== undefined && !value.startsWith('--')) {
      out[flag === '--host' ? 'host' : 'port'] = value;
      i++;
    } else {
      throw new UsageError(`unknown or incomplete option: ${flag ?? ''}`);
    }
  }
  return out;
}

function stopSignal(extra: AbortSignal | undefined): { promise: Promise<void>; dispose: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  const onSignal = (): void => resolve();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (extra?.aborted) resolve();
  extra?.addEventListener('abort', onSignal, { once: true });
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      extra?.removeEventListener('abort', onSignal);
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * How an admin can log in with these settings: an error when a stored password hash is
 * malformed (nobody could log in with it), a warning for every way in that cannot work, and
 * the address to open (the setup page while no password exists).
 */
export async function loginPaths(config: ServerConfig, backend: Pick<ConsoleBackend, 'getAdminPasswordHash'>):
  Promise<{ ok: true; warnings: string[]; open: string } | { ok: false; error: string }> {
  const stored = config.adminPasswordHash === null ? await backend.getAdminPasswordHash() : null;
  if (stored !== null && !isPasswordHash(stored)) {
    return { ok: false, error: 'the admin password hash stored by the first-run setup is malformed, so nobody could log in: set KAMFLOW_ADMIN_PASSWORD_HASH to a new hash (npm run --silent hash-password) and restart' };
  }
  const hasPassword = config.adminPasswordHash !== null || stored !== null;
  const warnings: string[] = [];
  if (!hasPassword && config.setupToken === null) {
    warnings.push('nobody can log in: no admin password is set (KAMFLOW_ADMIN_PASSWORD_HASH) and no first-run setup is open (KAMFLOW_SETUP_TOKEN)');
  }
  if (hasPassword && config.setupToken !== null) {
    warnings.push('KAMFLOW_SETUP_TOKEN is set but not used: an admin password exists, so /setup stays closed; remove the token');
  }
  const url = new URL(config.publicUrl);
  if (config.secureCookies && url.protocol === 'http:') {
    warnings.push('KAMFLOW_PUBLIC_URL is plain http but cookies are Secure: browsers keep Secure cookies on https only (some also on localhost), so a login may not stick; serve over https, or set KAMFLOW_INSECURE_COOKIES=true for local use only');
  }
  if (!config.secureCookies && url.protocol === 'https:') {
    warnings.push('KAMFLOW_INSECURE_COOKIES=true on an https KAMFLOW_PUBLIC_URL: session cookies lose their Secure flag; leave it false');
  }
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    warnings.push(`KAMFLOW_PUBLIC_URL (${url.origin}) is plain http on a non-loopback host: passwords and session cookies cross the network unencrypted`);
  }
  return { ok: true, warnings, open: hasPassword ? `${config.publicUrl}/login` : `${config.publicUrl}/setup` };
}

/** `kamflow serve`, for main.ts to register once the real backend exists. */
export function serveCommand(makeBackend: BackendFactory, options: { signal?: AbortSignal } = {}): CliCommand {
  return {
    name: 'serve',
    summary: 'Run the install server and admin console',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const flags = parseFlags(argv);
      const env: NodeJS.ProcessEnv = { ...io.env };
      if (flags.host !== undefined) env['KAMFLOW_HOST'] = flags.host;
      if (flags.port !== undefined) env['KAMFLOW_PORT'] = flags.port;
      let config: ServerConfig;
      try {
        config = loadServerConfig(env, () => randomToken(48));
      } catch (e) {
        if (e instanceof ServerConfigError) {
          io.stderr.write(`${e.message}\n`);
          return EXIT.usage;
        }
        throw e;
      }
      const placeholders = placeholderSettings(env);
      if (placeholders.length > 0 && flags.demo !== true) {
        io.stderr.write(`kamflow serve: these settings still hold the placeholder values of .env.example: ${placeholders.join(', ')}.\n`
          + 'Set real values (or leave them empty where that is allowed), or pass --demo to run a demo on them anyway.\n');
        return EXIT.usage;
      }
      const logger = createLogger({ destination: io.stderr, env });
      if (placeholders.length > 0) logger.warn({ settings: placeholders }, 'demo: running on placeholder settings of .env.example');
      if (!env['KAMFLOW_SESSION_SECRET']) logger.warn('KAMFLOW_SESSION_SECRET is not set: sessions end when the server restarts');
      let made;
      try {
        made = await makeBackend({ config, logger, env });
      } catch (e) {
        // Settings the backend cannot start with: a usage error, named as the backend named it.
        if (e instanceof BadInputError) throw new UsageError(e.message);
        throw e;
      }
      const { backend, close, state } = made;
      const stop = stopSignal(options.signal);
      try {
        const login = await loginPaths(config, backend);
        if (!login.ok) {
          io.stderr.write(`kamflow serve: ${login.error}\n`);
          return EXIT.usage;
        }
        for (const w of login.warnings) logger.warn(w);
        const running = await startServer({ backend, config, logger, ...(state ? { state } : {}) });
        logger.info({ url: running.url, publicUrl: config.publicUrl }, `console ready: open ${login.open} in a browser`);
        await stop.promise;
        logger.info('stopping');
        await running.close();
      } finally {
        stop.dispose();
        await close?.();
      }
      return EXIT.ok;
    },
  };
}
