import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Credentials, TokenSet } from '../../contract/connector.ts';
import { AlreadyConnectedError, AlreadyExistsError, NotFoundError } from '../../contract/errors.ts';
import { newConnectionId, optionsSchema } from '../codecs.ts';
import { initialCredentials, sealCredentials, unsealCredentials } from '../credentials.ts';
import type { EncryptionKey } from '../crypto.ts';
import type { ConnectionPatch, ConnectionRecord, NewConnection } from '../types.ts';
import type { Db } from './db.ts';

const rowSchema = z.object({
  id: z.string(),
  crm: z.string(),
  base_url: z.string(),
  options: z.unknown(),
  schedule: z.string().nullable(),
  timezone: z.string().nullable(),
  analysis_config: z.unknown(),
  has_tokens: z.boolean(),
  account_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const COLUMNS = 'id, crm, base_url, options, schedule, timezone, analysis_config, tokens_sealed IS NOT NULL AS has_tokens, account_id, created_at, updated_at';

function toRecord(raw: unknown): ConnectionRecord {
  const row = rowSchema.parse(raw);
  return {
    id: row.id,
    crm: row.crm,
    baseUrl: row.base_url,
    options: optionsSchema.parse(row.options),
    schedule: row.schedule,
    timezone: row.timezone,
    analysisConfig: row.analysis_config ?? null,
    hasTokens: row.has_tokens,
    accountId: row.account_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const configJson = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/** Connections with their sealed credentials (the `connections` table). */
export class PgConnections {
  constructor(
    private readonly db: Db,
    private readonly key: EncryptionKey | null,
    private readonly now: () => string,
  ) {}

  async create(input: NewConnection): Promise<ConnectionRecord> {
    const id = input.id ?? newConnectionId(input.idPrefix, randomUUID());
    const sealed = initialCredentials(this.key, id, { tokens: input.tokens ?? null, clientSecret: input.clientSecret ?? null });
    const now = this.now();
    const accountId = input.accountId ?? null;
    // One statement, so two processes creating the same id, or connecting the same account,
    // cannot both succeed: the unique key on (crm, account_id) refuses the second.
    let rows: unknown[];
    try {
      ({ rows } = await this.db.query(
        `INSERT INTO connections (id, crm, base_url, options, schedule, timezone, analysis_config, tokens_sealed, account_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
        [id, input.crm, input.baseUrl, JSON.stringify(input.options ?? {}), input.schedule ?? null, input.timezone ?? null, configJson(input.analysisConfig), sealed, accountId, now],
      ));
    } catch (error) {
      throw await this.secondConnection(error, input.crm, accountId);
    }
    if (rows.length === 0) throw new AlreadyExistsError('connection', id);
    return toRecord(rows[0]);
  }

  /** A violation of the one-connection-per-account key as AlreadyConnectedError; anything else as it was. */
  private async secondConnection(error: unknown, crm: string, accountId: string | null): Promise<unknown> {
    const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
    const constraint = error && typeof error === 'object' && 'constraint' in error ? error.constraint : undefined;
    if (code !== '23505' || constraint !== 'connections_one_per_account' || accountId === null) return error;
    const { rows } = await this.db.query('SELECT id FROM connections WHERE crm = $1 AND account_id = $2', [crm, accountId]);
    const holder = rows[0] === undefined ? '(unknown)' : z.object({ id: z.string() }).parse(rows[0]).id;
    return new AlreadyConnectedError(crm, accountId, holder);
  }

  async update(id: string, patch: ConnectionPatch): Promise<ConnectionRecord> {
    const next = { ...(await this.mustGet(id)), ...patch };
    let rows: unknown[];
    try {
      ({ rows } = await this.db.query(
        `UPDATE connections SET base_url = $1, options = $2, schedule = $3, timezone = $4, analysis_config = $5, account_id = $6, updated_at = $7 WHERE id = $8 RETURNING ${COLUMNS}`,
        [next.baseUrl, JSON.stringify(next.options), next.schedule, next.timezone, configJson(next.analysisConfig), next.accountId, this.now(), id],
      ));
    } catch (error) {
      throw await this.secondConnection(error, next.crm, next.accountId);
    }
    if (rows.length === 0) throw new NotFoundError('connection', id);
    return toRecord(rows[0]);
  }

  async get(id: string): Promise<ConnectionRecord | null> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM connections WHERE id = $1`, [id]);
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  private async mustGet(id: string): Promise<ConnectionRecord> {
    const c = await this.get(id);
    if (!c) throw new NotFoundError('connection', id);
    return c;
  }

  async list(): Promise<ConnectionRecord[]> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM connections ORDER BY id`)).rows.map(toRecord);
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const table of ['locks', 'streams', 'mirror', 'change_marks', 'field_memory', 'quarantine', 'remote_jobs']) {
        await tx.query(`DELETE FROM ${table} WHERE connection_id = $1`, [id]);
      }
      await tx.query('DELETE FROM connections WHERE id = $1', [id]);
    });
  }

  /** See the SQLite store: credentials and schedule go, with `deleteData` the pulled data too; runs stay. */
  async disconnect(id: string, deleteData: boolean): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query('UPDATE connections SET tokens_sealed = NULL, schedule = NULL, updated_at = $1 WHERE id = $2', [this.now(), id]);
      if (rowCount === 0) throw new NotFoundError('connection', id);
      if (deleteData) {
        for (const table of ['locks', 'streams', 'mirror', 'change_marks', 'field_memory', 'quarantine', 'remote_jobs']) {
          await tx.query(`DELETE FROM ${table} WHERE connection_id = $1`, [id]);
        }
      }
    });
  }

  async saveTokens(id: string, tokens: TokenSet): Promise<void> {
    const current = await this.loadCredentials(id);
    const sealed = sealCredentials(this.key, id, { ...current, tokens });
    await this.db.query('UPDATE connections SET tokens_sealed = $1, updated_at = $2 WHERE id = $3', [sealed, this.now(), id]);
  }

  /** Replaces the tokens and the client secret together (a credential rotation). */
  async saveCredentials(id: string, credentials: Credentials): Promise<void> {
    const sealed = sealCredentials(this.key, id, credentials);
    const { rowCount } = await this.db.query('UPDATE connections SET tokens_sealed = $1, updated_at = $2 WHERE id = $3', [sealed, this.now(), id]);
    if (rowCount === 0) throw new NotFoundError('connection', id);
  }

  async loadCredentials(id: string): Promise<Credentials> {
    const { rows } = await this.db.query('SELECT tokens_sealed FROM connections WHERE id = $1', [id]);
    if (rows.length === 0) throw new NotFoundError('connection', id);
    const { tokens_sealed: sealed } = z.object({ tokens_sealed: z.string().nullable() }).parse(rows[0]);
    return unsealCredentials(this.key, id, sealed);
  }
}
