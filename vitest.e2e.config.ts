import { defineConfig } from 'vitest/config';

/** The browser end-to-end tests (`npm run test:e2e`): Chromium driving the Agents Playground's web UI. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One browser and one demo for the file; the scenarios share them and run in order.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest-e2e.json' },
  },
});
