import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-redis.ts'],
    // Safety nets, not assertions: a loaded 2-core machine may take minutes over an e2e test.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // End-to-end files start real processes; keep parallelism modest on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
