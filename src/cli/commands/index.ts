import { checkConnectorOptions, createConnector, fieldChoices, fieldOptionProblems, orgOfConnection, sourceProfile, verifyCredentials } from '../../../connectors/registry.ts';
import { parseAnalysisConfig } from '../../config/analysis-config.ts';
import { makeServeBackend } from '../../console/serve-backend.ts';
import { createLogger } from '../../log.ts';
import { serveCommand } from './serve.ts';
import { openStoreFromEnv } from '../../store/open.ts';
import { analyzeWithStoredConfig } from '../../sync/analyze-adapter.ts';
import type { SyncCommandDeps } from '../sync-support.ts';
import type { CliCommand } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { backtestCommand } from './backtest.ts';
import { connectCommand } from './connect.ts';
import { reconnectCommand } from './reconnect.ts';
import { connectionCommand } from './connection.ts';
import { planCommand } from './plan.ts';
import { provisionCommand } from './provision.ts';
import { rollbackCommand } from './rollback.ts';
import { runCommand } from './run.ts';
import { runsCommand } from './runs.ts';
import { sampleCommand } from './sample.ts';
import { scheduleCommand } from './schedule.ts';
import { syncCommand } from './sync.ts';
import { workerCommand } from './worker.ts';

const logger = createLogger();

/** The real dependencies of the commands that talk to a store and a CRM. */
const syncDeps: SyncCommandDeps = {
  openStore: (env) => openStoreFromEnv(env),
  connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens, logger),
  profileOf: sourceProfile,
  analyze: analyzeWithStoredConfig,
  logger,
  orgOf: orgOfConnection,
};

/** Every `kamflow` subcommand; main.ts dispatches by name. Add new commands here. */
export const COMMANDS: CliCommand[] = [
  analyzeCommand,
  backtestCommand(syncDeps),
  sampleCommand,
  connectCommand({ openStore: syncDeps.openStore, parseAnalysisConfig, checkOptions: checkConnectorOptions, verify: (c, credentials) => verifyCredentials(c, credentials, logger) }),
  reconnectCommand({ openStore: syncDeps.openStore, verify: (c, credentials) => verifyCredentials(c, credentials, logger) }),
  connectionCommand({ openStore: syncDeps.openStore, checkOptions: checkConnectorOptions, fieldChoices: (c, credentials, onTokens) => fieldChoices(c, credentials, onTokens, logger), fieldOptionProblems }),
  provisionCommand(syncDeps),
  syncCommand(syncDeps),
  planCommand(syncDeps),
  runsCommand(syncDeps),
  runCommand(syncDeps),
  rollbackCommand(syncDeps),
  scheduleCommand(syncDeps),
  serveCommand(makeServeBackend()),
  workerCommand({ ...syncDeps, openStore: (env) => openStoreFromEnv(env) }),
];
