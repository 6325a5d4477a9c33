import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-redis.ts'],
    // Hang guards, not speed limits: end-to-end tests run whole rollouts with real-time
    // intervals, which took over 60 s on the shared 2-core box (load average 27).
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // End-to-end files start real processes; keep parallelism modest on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
