import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer, type ServerDeps } from './app.ts';
import type { Logger } from '../log.ts';
import type { ConsoleBackend } from './backend.ts';
import type { ServerConfig } from './config.ts';
import type { ServerSharedState } from './shared-state.ts';

/** Builds the real backend (store, sync engine, connectors) once the settings are known. */
export type BackendFactory = (context: { config: ServerConfig; logger: Logger; env: NodeJS.ProcessEnv }) =>
  Promise<{ backend: ConsoleBackend; close?: () => Promise<void>; state?: ServerSharedState }>;


export interface RunningServer {
  server: Server;
  /** The address actually bound, e.g. http://127.0.0.1:41234 (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/** Listens on config.host:config.port (override with `listen`) and resolves once bound. */
export function startServer(deps: ServerDeps, listen: { host?: string; port?: number } = {}): Promise<RunningServer> {
  const app = createServer(deps);
  const host = listen.host ?? deps.config.host;
  const port = listen.port ?? deps.config.port;
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      deps.logger.info({ host: address.address, port: address.port }, 'kamflow server listening');
      resolve({
        server,
        url: `http://${shownHost}:${address.port}`,
        close: () => new Promise<void>((res, rej) => {
          server.closeAllConnections();
          server.close((e) => (e ? rej(e) : res()));
        }),
      });
    });
  });
}
