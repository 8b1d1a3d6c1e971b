import pg from 'pg';

/** A database session, named as pg_stat_activity names it: backend pid and its start. */
export interface SessionId {
  pid: number;
  /** backend_start in microseconds since the epoch, as text: compared, never parsed. */
  started: string;
}

export const SESSION_START_SQL = `((extract(epoch FROM backend_start) * 1000000)::bigint)::text`;

/**
 * One database session this process keeps open for as long as it holds run locks (or runs
 * workers): its life is the proof that the holder lives. When the process dies, the server
 * ends the session as soon as the socket closes, and any other process can tell at once
 * (pg_stat_activity no longer lists it). A session lost while the process lives is replaced
 * on the next call; the locks recorded under the old one may be taken over meanwhile, which
 * their heartbeat then notices.
 */
export class PresenceSession {
  private client: pg.Client | null = null;
  private id: SessionId | null = null;
  private opening: Promise<SessionId> | null = null;
  private closed = false;

  constructor(private readonly url: string) {}

  async session(): Promise<SessionId> {
    if (this.closed) throw new Error('the store is closed');
    if (this.client && this.id) return this.id;
    this.opening ??= this.open().finally(() => { this.opening = null; });
    return this.opening;
  }

  private async open(): Promise<SessionId> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'kamflow-presence', connectionTimeoutMillis: 10_000 });
    client.on('error', () => {
      if (this.client === client) {
        this.client = null;
        this.id = null;
      }
    });
    client.on('end', () => {
      if (this.client === client) {
        this.client = null;
        this.id = null;
      }
    });
    await client.connect();
    const { rows } = await client.query<{ pid: number; started: string }>(`SELECT pid, ${SESSION_START_SQL} AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()`);
    const row = rows[0];
    if (!row) throw new Error('the database did not list its own session in pg_stat_activity');
    this.client = client;
    this.id = { pid: Number(row.pid), started: String(row.started) };
    return this.id;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.id = null;
    if (client) await client.end().catch(() => undefined);
  }
}

/** The sessions among `ids` that the server still runs. */
export async function liveSessions(q: { query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[] }> }, ids: SessionId[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await q.query(
    `SELECT pid::text || '@' || ${SESSION_START_SQL} AS key FROM pg_stat_activity WHERE pid = ANY($1::int[])`,
    [ids.map((i) => i.pid)],
  );
  return new Set(rows.map((r) => String((r as { key: unknown }).key)));
}

export const sessionKey = (id: SessionId): string => `${id.pid}@${id.started}`;
