// The real Kubernetes API servers from ../shared/k8s-rig (built by its build.sh, cached).
// Tests that need them skip where the rig has not been built (or kubectl is missing). The rig
// uses fixed ports: only one test file (real-apiserver.test.ts) may start it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';

export const RIG_DIR = process.env.RIG ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'k8s-rig');
const SCRIPTS = resolve(import.meta.dirname, '../../../shared/k8s-rig');
const ADMIN_KUBECONFIG = join(RIG_DIR, 'kubeconfig');

export const rigAvailable =
  existsSync(join(RIG_DIR, 'bin/kube-apiserver')) && existsSync(join(SCRIPTS, 'up.sh')) && spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** Starts karmada-apiserver and `members` members, fresh, without the stand-in kubelet (pods stay Pending). */
export function rigUp(members = 1): void {
  execFileSync('bash', [join(SCRIPTS, 'up.sh')], { env: { ...process.env, MEMBERS: String(members), KUBELET: '0' }, stdio: 'ignore', timeout: 120_000 });
}

/**
 * Stops what rigUp started. down.sh stops the recorded PIDs one after the other (about 10 s,
 * each server shuts down gracefully); signalling them all at once first takes the longest one.
 * down.sh then removes the PID files and kills anything still running.
 */
export async function rigDown(): Promise<void> {
  const dir = join(RIG_DIR, 'pids');
  const pids = existsSync(dir) ? readdirSync(dir).map((file) => Number(readFileSync(join(dir, file), 'utf8').trim())).filter((pid) => pid > 0) : [];
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && pids.some(alive); waited += 100) await sleep(100);
  execFileSync('bash', [join(SCRIPTS, 'down.sh')], { stdio: 'ignore', timeout: 60_000 });
}

/** The rig's admin (a token user in system:masters), with a context per API server. */
export function adminKubeconfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(ADMIN_KUBECONFIG);
  return config;
}

/** Runs a command with the admin's kubeconfig (kubectl, or a script that calls it); returns its stdout. */
export function asAdmin(command: string, args: string[]): string {
  const result = spawnSync(command, args, { env: { ...process.env, KUBECONFIG: ADMIN_KUBECONFIG }, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}`);
  return result.stdout;
}
