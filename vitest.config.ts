import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The local packages, read from source (their package.json exports point at their builds). */
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@rollgate/fleet-sim': source('./local/fleet-sim/src/index.ts'),
      '@rollgate/slack-emulator': source('./local/slack-emulator/src/index.ts'),
      '@rollgate/demo': source('./local/demo/src/index.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'local/*/test/**/*.test.ts'],
    globalSetup: ['test/global-redis.ts'],
    // Hang guards, not speed limits: end-to-end tests run whole rollouts with real-time
    // intervals, which took over 60 s on the shared 2-core box (load average 27).
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // End-to-end files mostly wait on real analysis intervals: three at once on 2 cores took the
    // suite from 556 s to 490 s with every test passing (tests sum 967 s -> 1285 s: CPU-bound beyond).
    fileParallelism: true,
    maxWorkers: 3,
  },
});
