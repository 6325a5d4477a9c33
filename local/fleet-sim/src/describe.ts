// A compact text view of the fleet for the demo: per cluster, each Deployment with ready/replicas,
// the versions its pods run, and the canary pods by name.
import type { FleetSnapshot } from './fleet-state.js';
import type { KubeObject } from './kube/store.js';

const isReady = (p: KubeObject) => (p['status']?.conditions ?? []).some((c: KubeObject) => c['type'] === 'Ready' && c['status'] === 'True');

function pad(s: string, n: number): string {
  return s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length);
}

function podVersions(pods: (KubeObject & { version: string })[]): string {
  const counts = new Map<string, number>();
  for (const p of pods) counts.set(p.version, (counts.get(p.version) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v}×${n}`).join(' ') || '-';
}

function karmadaLines(k: NonNullable<FleetSnapshot['karmada']>): string[] {
  const lines = ['karmada-apiserver'];
  for (const d of k.deployments) {
    const b = k.resourceBindings.find((x) => x['spec'].resource.name === d['metadata'].name && x['metadata'].namespace === d['metadata'].namespace);
    const clusters = (b?.['spec'].clusters ?? []).map((c: KubeObject) => c['name']).join(',') || 'not propagated';
    const health = (b?.['status']?.aggregatedStatus ?? []).map((i: KubeObject) => `${i['clusterName']}:${i['health']}`).join(' ');
    lines.push(`  deploy ${pad(d['metadata'].name, 34)}replicas=${d['spec'].replicas} -> ${clusters}${health ? `  [${health}]` : ''}`);
  }
  for (const op of k.overridePolicies) {
    for (const rule of op['spec']?.overrideRules ?? []) {
      const targets = (rule.targetCluster?.clusterNames ?? ['*']).join(',');
      const edits = (rule.overriders?.plaintext ?? []).map((p: KubeObject) => `${p['operator']} ${p['path']}${p['value'] !== undefined ? `=${JSON.stringify(p['value'])}` : ''}`);
      lines.push(`  override ${op['metadata'].name} @${targets}: ${edits.join('; ') || '(non-plaintext overriders)'}`);
    }
  }
  return lines;
}

export function describeFleet(snapshot: FleetSnapshot): string {
  const lines: string[] = [];
  if (snapshot.karmada) lines.push(...karmadaLines(snapshot.karmada));
  for (const [cluster, m] of Object.entries(snapshot.members)) {
    lines.push(cluster);
    for (const d of m.deployments) {
      // Owned pods: their ReplicaSet is named <deployment>-<pod-template-hash>.
      const pods = m.pods.filter((p) => {
        const rs: string = p['metadata'].ownerReferences?.[0]?.name ?? '';
        return p['metadata'].namespace === d['metadata'].namespace && rs.slice(0, rs.lastIndexOf('-')) === d['metadata'].name;
      });
      const ready = pods.filter(isReady).length;
      lines.push(`  ${pad(d['metadata'].name, 36)}${pad(`${ready}/${d['spec'].replicas}`, 7)}${pad(d.version, 10)}pods: ${podVersions(pods)}`);
      if (d['metadata'].name.includes('canary')) {
        for (const p of pods) lines.push(`    ${p['metadata'].name} ${p.version} ${isReady(p) ? 'Ready' : 'NotReady'}`);
      }
    }
  }
  for (const f of snapshot.faults as KubeObject[]) lines.push(`fault ${f['id']}: ${JSON.stringify({ ...f, id: undefined, since: undefined })}`);
  return `${lines.join('\n')}\n`;
}
