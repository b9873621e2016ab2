import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tfjs keeps one global engine per process; forks keep test files from sharing it.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
