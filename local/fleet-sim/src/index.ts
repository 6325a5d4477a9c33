// The simulated fleet used by local mode and end-to-end tests: Karmada + member kube-apiservers
// and a Prometheus per member, over one HTTPS listener.
export { CA_CERT_PATH, createFleetSimulator, TLS_DIR, type FleetSimulator, type FleetSimulatorOptions } from './simulator.js';
export { DEFAULT_SEED, type SeedApp } from './seed.js';
export { faultSchema, type Fault, type FaultRecord } from './faults.js';
export { describeFleet } from './describe.js';
export type { FleetSnapshot } from './fleet-state.js';
export { runLocalFleet, type LocalFleetOptions } from './cli.js';
export { buildKubeconfig } from './kubeconfig.js';
// Flagger's load tester, stood in: an in-cluster service that webhooks call.
export { createLoadTester, type LoadTester } from './loadtester.js';
