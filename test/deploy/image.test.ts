// What can be checked of the container image and docker-compose.yml without Docker: the
// Dockerfile's build stage copies exactly what `npm run build` needs (built here from just those
// files), nothing from local/ reaches the image, and the compose file passes rollgate only
// variables it reads, restarts it, and can scale workers.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES } from '../../cli/env.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = dockerfile.split(/^FROM /m).slice(1);
/** The sources of each COPY of a stage (the last word is the destination). */
const copies = (stage: string) => [...stage.matchAll(/^COPY (.+)$/gm)].map((m) => m[1]!.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1)).flat();

describe('Dockerfile', () => {
  it('builds the product from the files its build stage copies, none from local/', () => {
    const sources = copies(stages[0]!);
    expect(sources.filter((s) => s.startsWith('local'))).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'rollgate-image-'));
    for (const source of sources) cpSync(join(ROOT, source), join(dir, source), { recursive: true });
    // The installed dependencies, without the workspace links (node_modules/@rollgate/*): the
    // image installs with the local packages removed from its package.json.
    mkdirSync(join(dir, 'node_modules'));
    for (const entry of readdirSync(join(ROOT, 'node_modules')).filter((e) => e !== '@rollgate')) symlinkSync(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(build.stdout + build.stderr).toBe('');
    expect(existsSync(join(dir, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist/local'))).toBe(false);

    const run = (...args: string[]) => spawnSync(process.execPath, [join(dir, 'bin/rollgate.js'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 60_000 });
    expect(run('check-config', join(ROOT, 'rollgate.example.yaml')).status).toBe(0);
    const demo = run('demo');
    expect(demo.status).toBe(1);
    expect(demo.stderr).toContain('local mode (demo, local fleet, local slack) is not part of this installation');
  }, 180_000);

  it('runs as a numeric non-root user with production dependencies, and carries no demo key', () => {
    const runtime = stages.at(-1)!;
    expect(stages[0]).toContain('npm prune --omit=dev');
    expect(copies(runtime).sort()).toEqual(['/app/bin', '/app/dist', '/app/node_modules', '/app/package.json']);
    expect(runtime).not.toMatch(/local|\.key\b/);
    expect(runtime).toMatch(/^USER [1-9]\d*:[1-9]\d*$/m);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'local', 'node_modules']));
    // The workspaces are dropped from the build's package.json and lock before installing.
    expect(stages[0]).toMatch(/npm pkg delete workspaces/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, any> };
  const rollgates = ['rollgate', 'worker'].map((name) => [name, compose.services[name]] as const);

  it('restarts every service unless stopped', () => {
    for (const [name, service] of Object.entries(compose.services)) expect(service.restart, name).toBe('unless-stopped');
  });

  it('passes rollgate only variables it reads, and the kubeconfig where KUBECONFIG points', () => {
    for (const [name, service] of rollgates) {
      for (const variable of Object.keys(service.environment)) expect(ENV_VARIABLES, `${name}: ${variable}`).toContain(variable);
      const mounts = (service.volumes as string[]).map((v) => /:(\/[^:]+)(?::ro)?$/.exec(v)?.[1]);
      expect(mounts).toContain(service.environment.KUBECONFIG);
      expect(mounts).toContain(service.environment.ROLLGATE_CONFIG);
    }
  });

  it('scales workers with --scale alone (no profile to enable first), none by default', () => {
    const worker = compose.services.worker;
    expect(worker.profiles).toBeUndefined();
    expect(worker.command).toEqual(['worker']);
    expect(worker.deploy.replicas).toBe(0);
  });

  it('.env.example sets only what the compose file uses', () => {
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const names = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]!);
    expect(names.filter((name) => !text.includes(`\${${name}`))).toEqual([]);
  });
});
