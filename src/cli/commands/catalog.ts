/**
 * The commands' names and one-line summaries, for `kamflow --help` without loading any
 * command (the CRM clients alone take a second to load). A test holds this list to the
 * registry in ./index.ts. `light` commands are loaded on their own: they work on files and
 * need neither a store nor a CRM client.
 */
export const COMMAND_CATALOG: readonly { name: string; summary: string }[] = [
  { name: 'analyze', summary: 'Analyse a snapshot: key accounts, penetration matrix, whitespace, risk' },
  { name: 'backtest', summary: 'Tier families as of a past date and show what happened in the 12 months after' },
  { name: 'sample', summary: 'Write a generated sample org (with planted cases) as a snapshot file' },
  { name: 'connect', summary: 'Register a source connection (Salesforce, HubSpot or a spreadsheet)' },
  { name: 'reconnect', summary: "Replace a connection's credentials, keeping its data and history" },
  { name: 'connection', summary: 'Show or change a connection: field options, other options, name; disconnect or delete it' },
  { name: 'provision', summary: "Create Kamflow's fields in the CRM" },
  { name: 'sync', summary: 'Pull the CRM, analyse, and write the changed Kamflow fields back' },
  { name: 'plan', summary: 'Show a plan before it is written, and approve it' },
  { name: 'runs', summary: 'List recent sync and rollback runs' },
  { name: 'run', summary: 'Show one run with its per-record errors' },
  { name: 'rollback', summary: 'Restore the values a run replaced' },
  { name: 'schedule', summary: 'Set connection schedules, or run the scheduler' },
  { name: 'serve', summary: 'Run the install server and admin console' },
  { name: 'worker', summary: 'Run sync workers on the PostgreSQL job queue' },
];
