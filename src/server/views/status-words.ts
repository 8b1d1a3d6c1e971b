import type { ConnectionStatus, RunKind, RunStatus } from '../backend.ts';

/** A run's or a connection's status as the console says it: plain words, never the stored token. */
const WORDS: Record<RunStatus | ConnectionStatus, string> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  partial: 'partly failed',
  failed: 'failed',
  'stopped-api-limit': 'stopped at the API limit',
  'awaiting-approval': 'awaiting approval',
  ok: 'ok',
  failing: 'failing',
  disconnected: 'disconnected',
  'never-run': 'never run',
};

export function statusWords(status: RunStatus | ConnectionStatus): string {
  return WORDS[status] ?? status;
}

const KINDS: Record<RunKind, string> = { sync: 'sync', 'dry-run': 'dry run', rollback: 'rollback' };

export function kindWords(kind: RunKind): string {
  return KINDS[kind] ?? kind;
}
