import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Credentials, TokenSet } from '../../contract/connector.ts';
import { AlreadyConnectedError, AlreadyExistsError, NotFoundError } from '../../contract/errors.ts';
import { newConnectionId, optionsSchema } from '../codecs.ts';
import { initialCredentials, sealCredentials, unsealCredentials } from '../credentials.ts';
import type { EncryptionKey } from '../crypto.ts';
import type { ConnectionPatch, ConnectionRecord, NewConnection } from '../types.ts';

const rowSchema = z.object({
  id: z.string(),
  crm: z.string().min(1),
  base_url: z.string(),
  options_json: z.string(),
  schedule: z.string().nullable(),
  timezone: z.string().nullable(),
  analysis_config_json: z.string().nullable(),
  tokens_sealed: z.string().nullable(),
  account_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

function toRecord(raw: unknown): ConnectionRecord {
  const row = rowSchema.parse(raw);
  return {
    id: row.id,
    crm: row.crm,
    baseUrl: row.base_url,
    options: optionsSchema.parse(JSON.parse(row.options_json)),
    schedule: row.schedule,
    timezone: row.timezone,
    analysisConfig: row.analysis_config_json === null ? null : (JSON.parse(row.analysis_config_json) as unknown),
    hasTokens: row.tokens_sealed !== null,
    accountId: row.account_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ConnectionTable {
  constructor(
    private readonly db: Database.Database,
    private readonly key: EncryptionKey | null,
    private readonly now: () => string,
  ) {}

  create(input: NewConnection): ConnectionRecord {
    const id = input.id ?? newConnectionId(input.idPrefix, randomUUID());
    const sealed = initialCredentials(this.key, id, { tokens: input.tokens ?? null, clientSecret: input.clientSecret ?? null });
    const now = this.now();
    const accountId = input.accountId ?? null;
    // One IMMEDIATE transaction: two processes connecting the same account take turns, and the
    // second finds the first's row (the unique key would refuse it anyway).
    this.db.transaction(() => {
      if (this.get(id)) throw new AlreadyExistsError('connection', id);
      this.refuseSecond(input.crm, accountId, null);
      this.db
        .prepare(`INSERT INTO connections (id, crm, base_url, options_json, schedule, timezone, analysis_config_json, tokens_sealed, account_id, created_at, updated_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(
          id, input.crm, input.baseUrl, JSON.stringify(input.options ?? {}), input.schedule ?? null, input.timezone ?? null,
          input.analysisConfig === undefined || input.analysisConfig === null ? null : JSON.stringify(input.analysisConfig),
          sealed, accountId, now, now,
        );
    }).immediate();
    return this.mustGet(id);
  }

  update(id: string, patch: ConnectionPatch): ConnectionRecord {
    this.db.transaction(() => {
      const cur = this.mustGet(id);
      const next = { ...cur, ...patch };
      this.refuseSecond(cur.crm, next.accountId, id);
      this.db
        .prepare(`UPDATE connections SET base_url = ?, options_json = ?, schedule = ?, timezone = ?, analysis_config_json = ?, account_id = ?, updated_at = ? WHERE id = ?`)
        .run(
          next.baseUrl, JSON.stringify(next.options), next.schedule, next.timezone,
          next.analysisConfig === undefined || next.analysisConfig === null ? null : JSON.stringify(next.analysisConfig),
          next.accountId, this.now(), id,
        );
    }).immediate();
    return this.mustGet(id);
  }

  /** AlreadyConnectedError when another connection of the source already reaches the account. */
  private refuseSecond(crm: string, accountId: string | null, self: string | null): void {
    if (accountId === null) return;
    const holder = this.db.prepare('SELECT id FROM connections WHERE crm = ? AND account_id = ? AND id IS NOT ?').get(crm, accountId, self) as { id: string } | undefined;
    if (holder) throw new AlreadyConnectedError(crm, accountId, holder.id);
  }

  get(id: string): ConnectionRecord | null {
    const row: unknown = this.db.prepare('SELECT * FROM connections WHERE id = ?').get(id);
    return row === undefined ? null : toRecord(row);
  }

  mustGet(id: string): ConnectionRecord {
    const c = this.get(id);
    if (!c) throw new NotFoundError('connection', id);
    return c;
  }

  list(): ConnectionRecord[] {
    return (this.db.prepare('SELECT * FROM connections ORDER BY id').all() as unknown[]).map(toRecord);
  }

  delete(id: string): void {
    this.db.transaction(() => {
      for (const table of ['locks', 'streams', 'mirror', 'change_marks', 'field_memory', 'quarantine', 'remote_jobs']) {
        this.db.prepare(`DELETE FROM ${table} WHERE connection_id = ?`).run(id);
      }
      this.db.prepare('DELETE FROM connections WHERE id = ?').run(id);
    })();
  }

  /**
   * Ends a connection without removing it: credentials and schedule go; with `deleteData` also
   * what was pulled (mirror, cursors, change marks, field memory, quarantine). Runs stay.
   */
  disconnect(id: string, deleteData: boolean): void {
    this.db.transaction(() => {
      this.mustGet(id);
      if (deleteData) {
        for (const table of ['locks', 'streams', 'mirror', 'change_marks', 'field_memory', 'quarantine', 'remote_jobs']) {
          this.db.prepare(`DELETE FROM ${table} WHERE connection_id = ?`).run(id);
        }
      }
      this.db.prepare('UPDATE connections SET tokens_sealed = NULL, schedule = NULL, updated_at = ? WHERE id = ?').run(this.now(), id);
    }).immediate();
  }

  saveTokens(id: string, tokens: TokenSet): void {
    const current = this.loadCredentials(id);
    const sealed = sealCredentials(this.key, id, { ...current, tokens });
    this.db.prepare('UPDATE connections SET tokens_sealed = ?, updated_at = ? WHERE id = ?').run(sealed, this.now(), id);
  }

  /** Replaces the tokens and the client secret together (a credential rotation). */
  saveCredentials(id: string, credentials: Credentials): void {
    this.mustGet(id);
    const sealed = sealCredentials(this.key, id, credentials);
    this.db.prepare('UPDATE connections SET tokens_sealed = ?, updated_at = ? WHERE id = ?').run(sealed, this.now(), id);
  }

  loadCredentials(id: string): Credentials {
    const row = this.db.prepare('SELECT tokens_sealed FROM connections WHERE id = ?').get(id) as { tokens_sealed: string | null } | undefined;
    if (row === undefined) throw new NotFoundError('connection', id);
    return unsealCredentials(this.key, id, row.tokens_sealed);
  }
}
