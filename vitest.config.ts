import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-redis.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end files start real processes; keep parallelism modest on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
