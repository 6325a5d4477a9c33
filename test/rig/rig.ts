// The real Kubernetes API servers from ../shared/k8s-rig (built by its build.sh, cached).
// Tests that need them skip, saying why, where the rig has not been built.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const RIG_DIR = process.env.RIG ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'k8s-rig');
const SCRIPTS = resolve(import.meta.dirname, '../../../shared/k8s-rig');

export const rigAvailable = existsSync(join(RIG_DIR, 'bin/kube-apiserver')) && existsSync(join(SCRIPTS, 'up.sh'));

export function rigUp(members = 1): string {
  execFileSync('bash', [join(SCRIPTS, 'up.sh')], { env: { ...process.env, MEMBERS: String(members), KUBELET: '0' }, stdio: 'ignore', timeout: 120_000 });
  return join(RIG_DIR, 'kubeconfig');
}

export function rigDown(): void {
  execFileSync('bash', [join(SCRIPTS, 'down.sh')], { stdio: 'ignore', timeout: 60_000 });
}
