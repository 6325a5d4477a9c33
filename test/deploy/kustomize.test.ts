// deploy/kustomize rendered with `kubectl kustomize`: what an operator gets from each overlay and
// component. test/rig/install.cases.ts applies the same output to real API servers; the
// ServiceMonitor (a Prometheus Operator CRD the rig does not have) is checked here only.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES } from '../../cli/env.js';
import { validateConfig } from '../../rollout/config.js';
import { find, kustomizeAvailable, overlayWith, render, KUSTOMIZE, type K8sObject } from './kustomize.js';

const HOME_OVERLAYS = ['overlays/karmada', 'overlays/direct'];

function podSpecs(objects: K8sObject[]) {
  return objects.filter((o) => o.kind === 'Deployment').map((d) => ({ name: d.metadata.name, spec: d.spec.template.spec }));
}

describe.skipIf(!kustomizeAvailable)('deploy/kustomize, rendered', () => {
  it.each(HOME_OVERLAYS)('%s: serve with 2 replicas, probes, Secret references, the Service and the PodDisruptionBudget', (overlay) => {
    const objects = render(`${KUSTOMIZE}/${overlay}`);
    const serve = find(objects, 'Deployment', 'rollgate')!;
    expect(serve.metadata.namespace).toBe('rollgate');
    expect(serve.spec.replicas).toBe(2);
    const container = serve.spec.template.spec.containers[0];
    expect(container.args).toEqual(['serve']);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const fromSecret = Object.fromEntries(container.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef]));
    expect(fromSecret).toEqual({
      REDIS_URL: { name: 'rollgate', key: 'REDIS_URL' },
      SLACK_BOT_TOKEN: { name: 'rollgate', key: 'SLACK_BOT_TOKEN' },
      SLACK_SIGNING_SECRET: { name: 'rollgate', key: 'SLACK_SIGNING_SECRET', optional: true },
      SLACK_APP_TOKEN: { name: 'rollgate', key: 'SLACK_APP_TOKEN', optional: true },
    });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    const labels = serve.spec.template.metadata.labels;
    const service = find(objects, 'Service', 'rollgate')!;
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports[0].targetPort).toBe(container.ports[0].name);
    const pdb = find(objects, 'PodDisruptionBudget', 'rollgate')!;
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.minAvailable).toBeLessThan(serve.spec.replicas);
  });

  it.each(HOME_OVERLAYS)('%s: every pod runs non-root, read-only, without privilege escalation or capabilities', (overlay) => {
    const objects = render(overlayWith(overlay, ['components/worker']));
    const specs = podSpecs(objects);
    expect(specs.map((s) => s.name).sort()).toEqual(['rollgate', 'rollgate-worker']);
    for (const { spec } of specs) {
      expect(spec.serviceAccountName).toBe('rollgate');
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const c of spec.containers) {
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    }
  });

  it.each(HOME_OVERLAYS)('%s: the ConfigMap holds a valid rollgate.yaml, mounted where ROLLGATE_CONFIG points, in serve and worker', (overlay) => {
    const objects = render(overlayWith(overlay, ['components/worker']));
    const configMap = find(objects, 'ConfigMap')!;
    expect(configMap.metadata.name).toMatch(/^rollgate-config-[a-z0-9]+$/); // hashed: a changed file restarts the pods
    const parsed = validateConfig(parse(configMap.data['rollgate.yaml']));
    expect(parsed.ok ? parsed.config.fleet.mode : parsed.problems).toBe(overlay.endsWith('karmada') ? 'karmada' : 'direct');
    for (const { spec } of podSpecs(objects)) {
      const env = Object.fromEntries(spec.containers[0].env.map((e: any) => [e.name, e.value]));
      const volume = spec.volumes.find((v: any) => v.configMap)!;
      expect(volume.configMap.name).toBe(configMap.metadata.name);
      const mount = spec.containers[0].volumeMounts.find((m: any) => m.name === volume.name);
      expect(env.ROLLGATE_CONFIG).toBe(`${mount.mountPath}/rollgate.yaml`);
      const kube = spec.containers[0].volumeMounts.find((m: any) => m.name === spec.volumes.find((v: any) => v.secret?.secretName === 'rollgate-kubeconfig').name);
      expect(env.KUBECONFIG).toBe(`${kube.mountPath}/kubeconfig`);
      // Every variable the pods get is one rollgate reads.
      for (const name of Object.keys(env)) expect(ENV_VARIABLES).toContain(name);
    }
  });

  it('grants no list, watch or wildcard, and nothing cluster-wide, in any overlay', () => {
    for (const overlay of [...HOME_OVERLAYS, 'overlays/karmada/karmada-apiserver', 'overlays/karmada/member', 'overlays/direct/member']) {
      const objects = render(`${KUSTOMIZE}/${overlay}`);
      expect(objects.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);
      for (const rule of objects.filter((o) => o.kind === 'ClusterRole').flatMap((r) => r.rules)) {
        expect(rule.resources).not.toContain('secrets');
        expect(rule.resources).not.toContain('*');
        expect(rule.verbs.filter((v: string) => ['watch', '*', 'deletecollection'].includes(v))).toEqual([]);
        if (rule.verbs.includes('list')) expect(rule.resources).toEqual(['pods']); // pod signals, by label selector
      }
      for (const binding of objects.filter((o) => o.kind === 'RoleBinding')) {
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'rollgate', namespace: 'rollgate' }]);
      }
    }
  });

  it('the ServiceMonitor component scrapes /metrics on the Service\'s port (render only: the rig has no Prometheus Operator CRDs)', () => {
    const objects = render(overlayWith('overlays/karmada', ['components/servicemonitor']));
    const monitor = find(objects, 'ServiceMonitor', 'rollgate')!;
    const service = find(objects, 'Service', 'rollgate')!;
    expect(monitor.metadata.namespace).toBe('rollgate');
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: service.spec.ports[0].name, path: '/metrics' })]);
  });

  it('worker pods have probes and /metrics on a named port, which the PodMonitor scrapes', () => {
    const objects = render(overlayWith('overlays/karmada', ['components/worker', 'components/servicemonitor']));
    const worker = find(objects, 'Deployment', 'rollgate-worker')!;
    const container = worker.spec.template.spec.containers[0];
    const port = container.ports.find((p: any) => p.name === 'http');
    expect(container.env).toContainEqual({ name: 'ROLLGATE_WORKER_PORT', value: String(port.containerPort) });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const monitor = find(objects, 'PodMonitor', 'rollgate-worker')!;
    expect(worker.spec.template.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  });

  it('the Ingress component exposes /slack/events only, to the Service', () => {
    const objects = render(overlayWith('overlays/direct', ['components/ingress']));
    const ingress = find(objects, 'Ingress', 'rollgate')!;
    const paths = ingress.spec.rules.flatMap((r: any) => r.http.paths);
    expect(paths.map((p: any) => [p.path, p.pathType])).toEqual([['/slack/events', 'Exact']]);
    expect(paths[0].backend.service).toEqual({ name: 'rollgate', port: { name: find(objects, 'Service', 'rollgate')!.spec.ports[0].name } });
  });
});
