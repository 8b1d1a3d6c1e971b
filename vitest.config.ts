import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'crm-apps/hubspot/test/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Starts (or finds) the PostgreSQL server of the store tests; see the README's Tests section.
    globalSetup: ['test/setup/postgres.ts'],
  },
});
