/**
 * Schema 2 of the PostgreSQL store, the same as schema 4 of the SQLite one (see
 * sqlite/writeback-schema.ts): one connection per source account, the key check, record
 * stamps, Kamflow's memory of what it wrote (filled from earlier confirmed writes), field
 * conflicts, the quarantine of refused writes, remote jobs.
 */
export const WRITEBACK_PG_MIGRATION = `
  ALTER TABLE connections ADD COLUMN account_id TEXT COLLATE "C";
  CREATE UNIQUE INDEX connections_one_per_account ON connections (crm, account_id) WHERE account_id IS NOT NULL;
  ALTER TABLE mirror ADD COLUMN stamp TEXT;
  CREATE TABLE store_meta (
    key TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE field_memory (
    connection_id TEXT COLLATE "C" NOT NULL,
    account_id TEXT COLLATE "C" NOT NULL,
    field TEXT COLLATE "C" NOT NULL,
    value JSON NOT NULL,
    run_id TEXT COLLATE "C" NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, account_id, field)
  );
  INSERT INTO field_memory (connection_id, account_id, field, value, run_id, written_at)
  SELECT DISTINCT ON (r.connection_id, w.account_id, f.key) r.connection_id, w.account_id, f.key, f.value, w.run_id, COALESCE(r.finished_at, r.started_at)
  FROM run_writes w JOIN runs r ON r.id = w.run_id CROSS JOIN LATERAL json_each(w.fields) AS f (key, value)
  WHERE w.status = 'ok'
  ORDER BY r.connection_id, w.account_id, f.key, r.started_at DESC, r.seq DESC;
  CREATE TABLE field_conflicts (
    seq BIGSERIAL PRIMARY KEY,
    run_id TEXT COLLATE "C" NOT NULL,
    account_id TEXT COLLATE "C" NOT NULL,
    field TEXT NOT NULL,
    current_value JSON NOT NULL,
    kamflow_value JSON NOT NULL,
    proposed_value JSON NOT NULL,
    changed_by TEXT,
    changed_at TEXT,
    source TEXT NOT NULL,
    resolution TEXT NOT NULL
  );
  CREATE INDEX field_conflicts_by_run ON field_conflicts (run_id, seq);
  CREATE TABLE quarantine (
    connection_id TEXT COLLATE "C" NOT NULL,
    account_id TEXT COLLATE "C" NOT NULL,
    run_id TEXT COLLATE "C" NOT NULL,
    code TEXT,
    message TEXT,
    fields JSON NOT NULL,
    attempts INTEGER NOT NULL,
    first_failed_at TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    retry_after TEXT NOT NULL,
    record_stamp TEXT,
    config_key TEXT NOT NULL,
    PRIMARY KEY (connection_id, account_id)
  );
  CREATE TABLE remote_jobs (
    connection_id TEXT COLLATE "C" NOT NULL,
    job_id TEXT COLLATE "C" NOT NULL,
    run_id TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    settled_at TEXT,
    PRIMARY KEY (connection_id, job_id)
  );
  CREATE INDEX run_writes_in_flight ON run_writes (run_id) WHERE status = 'sending';
`;
