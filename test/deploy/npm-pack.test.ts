// `npm pack` of the product holds the product: the launcher, the compiled bot/ jobs/ rollout/
// cli/, and the docs a user needs; none of local/ (the Slack emulator, the simulated fleet and its
// TLS key, the demo), no tests, no benchmarks, no sources.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm pack', () => {
  it('lists the product only', () => {
    // --ignore-scripts: `prepare` would build; the suite's `npm test` has built dist/ already.
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'silent' } });
    expect(packed.status, packed.stderr).toBe(0);
    const [pack] = JSON.parse(packed.stdout) as { name: string; files: { path: string }[] }[];
    expect(pack!.name).toBe('rollgate');
    const files = pack!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/rollgate.js', 'dist/cli/main.js', 'dist/rollout/machine.js', 'dist/bot/slack-app.js', 'dist/jobs/worker.js', 'rollgate.example.yaml']));
    const outside = files.filter((f) => !/^(package\.json|README\.md|LICENSE|ARCHITECTURE\.md|rollgate\.example\.yaml|bin\/rollgate\.js|dist\/(bot|jobs|rollout|cli)\/.+\.js(\.map)?)$/.test(f));
    expect(outside).toEqual([]);
    expect(files.filter((f) => /(^|\/)(local|test|bench|chaos)\/|\.key$|\.ts$/.test(f))).toEqual([]);
  }, 120_000);
});
