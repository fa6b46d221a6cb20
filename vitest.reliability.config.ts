import { defineConfig } from 'vitest/config';

/** The reliability suite (`npm run test:reliability`): the service killed, scaled out, raced and attacked. */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each file starts several processes; one file at a time keeps the machine's two cores for them.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest-reliability.json' },
  },
});
