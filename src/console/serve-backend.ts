import { createConnector, orgOfConnection, sourceProfile } from '../../connectors/registry.ts';
import { BadInputError } from '../contract/errors.ts';
import type { Logger } from '../log.ts';
import type { BackendFactory } from '../server/start.ts';
import { ENCRYPTION_KEY_VAR, EncryptionKeyError } from '../store/crypto.ts';
import { DatabaseUrlError, openStoreFromEnv, storeLocationFromEnv, type KamflowStore } from '../store/open.ts';
import { QueueClient } from '../queue/client.ts';
import { analyzeWithStoredConfig } from '../sync/analyze-adapter.ts';
import { SyncScheduler, type CronTaskFactory } from '../sync/scheduler.ts';
import { KamflowBackend } from './backend.ts';
import { ConsoleSettingsError, loadConsoleSettings } from './settings.ts';

export interface ServeBackendOptions {
  /** Cron tasks; node-cron's by default. */
  createTask?: CronTaskFactory;
  /** Extra connector logger; the server's logger by default. */
  logger?: Logger;
}

/**
 * The real backend of `kamflow serve`: the store the environment names, the connectors,
 * the analysis, and the scheduler of every scheduled connection, all stopped by `close`.
 */
export function makeServeBackend(options: ServeBackendOptions = {}): BackendFactory {
  return async ({ config, logger, env }) => {
    let settings;
    try {
      settings = loadConsoleSettings(env);
    } catch (e) {
      if (e instanceof ConsoleSettingsError) throw new BadInputError([e.message]);
      throw e;
    }
    if (!env[ENCRYPTION_KEY_VAR]) {
      throw new BadInputError([`${ENCRYPTION_KEY_VAR} is not set: installs store CRM tokens encrypted with it (create one with \`openssl rand -base64 32\`)`]);
    }
    if (settings.simulatorUrl) {
      logger.warn({ simulatorUrl: settings.simulatorUrl }, 'KAMFLOW_CRM_SIMULATOR_URL is set: installs go to the local CRM simulator instead of the sources\' public hosts');
      if (!config.extraFormActionOrigins.includes(settings.simulatorUrl)) {
        logger.warn('add the simulator origin to KAMFLOW_CSP_EXTRA_FORM_ACTION, or browsers will not follow the install form to it');
      }
    }
    let store: KamflowStore;
    try {
      store = await openStoreFromEnv(env);
    } catch (e) {
      // A bad database URL, or a key other than the one the store was set up with: settings to fix.
      if (e instanceof DatabaseUrlError || e instanceof EncryptionKeyError) throw new BadInputError([e.message]);
      throw e;
    }
    const connectorLogger = options.logger ?? logger;
    const backend = new KamflowBackend({
      store,
      settings,
      logger,
      sync: {
        store,
        connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens, connectorLogger),
        profileOf: sourceProfile,
        analyze: analyzeWithStoredConfig,
        logger,
        orgOf: orgOfConnection,
      },
    });
    const location = storeLocationFromEnv(env);
    if (location.kind === 'postgres') {
      // The production shape: this process serves and enqueues; `kamflow worker`s run the syncs
      // and tick the schedules.
      const queue = await QueueClient.open(location.url, store, logger);
      backend.attachScheduler(queue);
      backend.runs.useQueue((job) => queue.enqueue(job));
      logger.info('runs go to the job queue: start `kamflow worker` to run them');
      return {
        backend,
        // Sessions and login counters in the database: servers behind one load balancer act as one.
        state: store,
        close: async () => {
          await queue.close();
          await store.close();
        },
      };
    }
    const scheduler = new SyncScheduler({
      store, logger, runSync: (o) => backend.runs.runScheduled(o), ...(options.createTask ? { createTask: options.createTask } : {}),
    });
    backend.attachScheduler(scheduler);
    const scheduled = await scheduler.start();
    logger.info({ scheduled: scheduled.length }, 'scheduler started');
    return {
      backend,
      state: store,
      close: async () => {
        await scheduler.stop();
        await backend.runs.idle();
        await store.close();
      },
    };
  };
}
