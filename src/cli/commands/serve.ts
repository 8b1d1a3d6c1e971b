import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { BadInputError } from '../../contract/errors.ts';
import { createLogger } from '../../log.ts';
import { loadServerConfig, ServerConfigError, type ServerConfig } from '../../server/config.ts';
import { randomToken } from '../../server/sessions.ts';
import { startServer, type BackendFactory } from '../../server/start.ts';

export type { BackendFactory };

const USAGE = `Usage: kamflow serve [--host HOST] [--port PORT]

Runs the install server and admin console until stopped (SIGINT or SIGTERM).
Settings come from the environment (KAMFLOW_PUBLIC_URL, KAMFLOW_ADMIN_PASSWORD_HASH,
KAMFLOW_SESSION_SECRET, each source's app credentials, ...); --host and --port override
KAMFLOW_HOST and KAMFLOW_PORT.`;

function parseFlags(argv: string[]): { host?: string; port?: string } {
  const out: { host?: string; port?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--host' || flag === '--port') && value !== undefined && !value.startsWith('--')) {
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
      const logger = createLogger({ destination: io.stderr });
      if (!env['KAMFLOW_SESSION_SECRET']) logger.warn('KAMFLOW_SESSION_SECRET is not set: sessions end when the server restarts');
      if (config.secureCookies && config.publicUrl.startsWith('http:')) {
        logger.warn('KAMFLOW_PUBLIC_URL is http but cookies are Secure: browsers only keep them on https or localhost');
      }
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
        const running = await startServer({ backend, config, logger, ...(state ? { state } : {}) });
        logger.info({ url: running.url, publicUrl: config.publicUrl }, 'console ready');
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
