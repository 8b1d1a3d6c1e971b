/**
 * Schema 4 of the SQLite store: what keeps write-back safe across crashes and people.
 * - one connection per source account (a unique key, so two installs racing cannot both win);
 * - the check of the encryption key the store was set up with;
 * - the source's modified stamp of mirrored records;
 * - Kamflow's memory of the last value it wrote per account and field, filled from the
 *   confirmed writes of earlier runs;
 * - field conflicts per run, the quarantine of refused writes, the remote jobs a push opened.
 */
export const WRITEBACK_SQLITE_MIGRATION = `
  ALTER TABLE connections ADD COLUMN account_id TEXT;
  CREATE UNIQUE INDEX connections_one_per_account ON connections (crm, account_id) WHERE account_id IS NOT NULL;
  ALTER TABLE mirror ADD COLUMN stamp TEXT;
  CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE field_memory (
    connection_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value_json TEXT NOT NULL,
    run_id TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, account_id, field)
  );
  INSERT INTO field_memory (connection_id, account_id, field, value_json, run_id, written_at)
  SELECT connection_id, account_id, key, value_json, run_id, written_at FROM (
    SELECT r.connection_id, w.account_id, j.key,
      CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' ELSE json_quote(j.value) END AS value_json,
      w.run_id, COALESCE(r.finished_at, r.started_at) AS written_at,
      ROW_NUMBER() OVER (PARTITION BY r.connection_id, w.account_id, j.key ORDER BY r.started_at DESC, r.rowid DESC) AS n
    FROM run_writes w JOIN runs r ON r.id = w.run_id, json_each(w.fields_json) j
    WHERE w.status = 'ok'
  ) WHERE n = 1;
  CREATE TABLE field_conflicts (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    field TEXT NOT NULL,
    current_json TEXT NOT NULL,
    kamflow_json TEXT NOT NULL,
    proposed_json TEXT NOT NULL,
    changed_by TEXT,
    changed_at TEXT,
    source TEXT NOT NULL,
    resolution TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  CREATE TABLE quarantine (
    connection_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    code TEXT,
    message TEXT,
    fields_json TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    first_failed_at TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    retry_after TEXT NOT NULL,
    record_stamp TEXT,
    config_key TEXT NOT NULL,
    PRIMARY KEY (connection_id, account_id)
  );
  CREATE TABLE remote_jobs (
    connection_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    settled_at TEXT,
    PRIMARY KEY (connection_id, job_id)
  );
  CREATE INDEX run_writes_in_flight ON run_writes (run_id) WHERE status = 'sending';
`;
