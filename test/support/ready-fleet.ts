// A fleet at the Fleet port that accepts every write and is always ready, on v1 with 3 replicas:
// for tests of the job machinery, where Kubernetes is not the subject.
import type { Fleet } from '../../rollout/kube/fleet.js';

export const readyFleet: Fleet = {
  readBase: async () => ({ version: 'v1', replicas: 3 }),
  setCanaries: async () => undefined,
  setPromoted: async () => undefined,
  checkReady: async () => ({ ready: true, pods: {} }),
  podsReady: async () => ({}),
  finalize: async () => undefined,
  setWeights: async () => ({}),
};
