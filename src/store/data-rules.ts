/**
 * Data rules both stores check (same SQL shape): each query lists the rows breaking the rule.
 * JSON access is left out so the text runs on SQLite and PostgreSQL alike.
 */
export const DATA_RULES: readonly { name: string; sql: string }[] = [
  { name: 'writes without their run', sql: 'SELECT w.run_id FROM run_writes w LEFT JOIN runs r ON r.id = w.run_id WHERE r.id IS NULL' },
  {
    // A run that succeeded has checked every write an earlier run left in flight.
    name: 'writes still in flight after a later run succeeded',
    sql: `SELECT w.run_id FROM run_writes w JOIN runs r ON r.id = w.run_id WHERE w.status = 'sending' AND EXISTS (
            SELECT 1 FROM runs l WHERE l.connection_id = r.connection_id AND l.started_at > r.started_at AND l.status = 'succeeded')`,
  },
  { name: 'writes with an unknown status', sql: "SELECT run_id FROM run_writes WHERE status NOT IN ('pending', 'sending', 'ok', 'failed')" },
  { name: 'failed writes without an error kind', sql: "SELECT run_id FROM run_writes WHERE status = 'failed' AND error_kind IS NULL" },
  { name: 'memory of a connection that is gone', sql: 'SELECT m.connection_id FROM field_memory m LEFT JOIN connections c ON c.id = m.connection_id WHERE c.id IS NULL' },
  { name: 'memory of a run that is gone', sql: 'SELECT m.run_id FROM field_memory m LEFT JOIN runs r ON r.id = m.run_id WHERE r.id IS NULL' },
  { name: 'quarantine of a connection that is gone', sql: 'SELECT q.connection_id FROM quarantine q LEFT JOIN connections c ON c.id = q.connection_id WHERE c.id IS NULL' },
  { name: 'conflicts without their run', sql: 'SELECT f.run_id FROM field_conflicts f LEFT JOIN runs r ON r.id = f.run_id WHERE r.id IS NULL' },
  { name: 'mirror rows of a connection that is gone', sql: 'SELECT m.connection_id FROM mirror m LEFT JOIN connections c ON c.id = m.connection_id WHERE c.id IS NULL' },
  {
    name: 'more than one running run per connection',
    sql: "SELECT connection_id FROM runs WHERE status = 'running' GROUP BY connection_id HAVING COUNT(*) > 1",
  },
];
