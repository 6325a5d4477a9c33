// What the rig tests roll out: an app's base Deployment as its owner wrote it, and a rollout
// moved to a stage (the state machine's job, not under test here).
import type { AppConfig } from '../../rollout/config.js';
import type { Rollout } from '../../rollout/model.js';
import type { KubeObject } from '../../rollout/kube/objects.js';
import { testConfig } from '../fixtures/config.js';

/** The test config's app, or a copy whose Deployment, container and app label are all `name`. */
export function rigApp(name?: string): AppConfig {
  const config = testConfig((doc) => {
    if (name) Object.assign(doc.apps[0], { name, deployment: name, container: name });
  });
  return config.apps[0]!;
}

/** The base Deployment (not rollgate's: no managed-by label), its version in env ROLLOUT_LABEL. */
export function baseDeployment(app: AppConfig, version = 'v1'): KubeObject {
  const labels = { app: app.deployment };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.deployment, namespace: app.namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: app.container, image: 'ghcr.io/cmontemuino/http-probe-test-app:v0.5.0', env: [{ name: 'ROLLOUT_LABEL', value: version }] }] },
      },
    },
  };
}

export const atStage = (rollout: Rollout, stage: number): Rollout => ({ ...rollout, stage });
