// Pods as a ReplicaSet controller names and shapes them: <deploy>-<pod-template-hash>-<5 chars>.
import { createHash } from 'node:crypto';
import { canonical } from '../kube/json-patch.js';
import { timestamp } from '../kube/registry.js';
import type { KubeObject } from '../kube/store.js';

// k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable digits.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a 32-bit over the canonical template, rendered as rand.SafeEncodeString does. */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(JSON.stringify(canonical(template)), 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const digits = String(h).padStart(10, '0');
  return [...digits].map((d) => ALPHANUMS[d.charCodeAt(0) % ALPHANUMS.length]).join('');
}

/** Deterministic suffixes: a seeded generator per cluster, so runs are reproducible. */
export function createSuffixGenerator(seed: string): () => string {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    let s = '';
    for (let i = 0; i < 5; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      s += ALPHANUMS[state % ALPHANUMS.length];
    }
    return s;
  };
}

export interface PodInit {
  deployment: KubeObject;
  hash: string;
  name: string;
  cluster: string;
  podIP: string;
  nowMs: number;
}

export function replicaSetName(deployment: KubeObject, hash: string): string {
  return `${deployment['metadata'].name}-${hash}`;
}

export function buildPod({ deployment, hash, name, cluster, podIP, nowMs }: PodInit): KubeObject {
  const template = deployment['spec'].template ?? {};
  const spec = structuredClone(template.spec ?? {});
  spec.nodeName = `${cluster}-worker`;
  spec.serviceAccountName ??= 'default';
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  const started = timestamp(nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${replicaSetName(deployment, hash)}-`,
      namespace: deployment['metadata'].namespace,
      labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: replicaSetName(deployment, hash),
          uid: `${deployment['metadata'].uid.slice(0, 24)}${hash.slice(0, 10).padEnd(12, '0')}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
    status: {
      phase: 'Running',
      hostIP: '172.18.0.2',
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: started,
      qosClass: 'Burstable',
      conditions: [],
      containerStatuses: (spec.containers ?? []).map((c: KubeObject) => ({
        name: c['name'],
        image: c['image'],
        imageID: `${String(c['image']).split(':')[0]}@sha256:${createHash('sha256').update(String(c['image'])).digest('hex')}`,
        containerID: `containerd://${createHash('sha256').update(name + c['name']).digest('hex')}`,
        ready: false,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: started } },
        lastState: {},
      })),
    },
  };
}

/** Rewrites the readiness-dependent parts of a pod's status; returns true when it changed. */
export function setPodReady(pod: KubeObject, ready: boolean, sinceMs: number): boolean {
  const status = pod['status'];
  const was = status.conditions.find((c: KubeObject) => c['type'] === 'Ready')?.status === 'True';
  if (was === ready && status.conditions.length > 0) return false;
  const at = timestamp(sinceMs);
  const cond = (type: string, ok: boolean) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: at,
    ...(ok || type === 'Initialized' || type === 'PodScheduled' ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${status.containerStatuses.map((c: KubeObject) => c['name']).join(' ')}]` }),
  });
  const prev = (type: string) => status.conditions.find((c: KubeObject) => c['type'] === type);
  status.conditions = [
    prev('Initialized') ?? cond('Initialized', true),
    cond('Ready', ready),
    cond('ContainersReady', ready),
    prev('PodScheduled') ?? cond('PodScheduled', true),
  ];
  for (const c of status.containerStatuses) c.ready = ready;
  return true;
}
