// Everything that needs real Kubernetes API servers (shared/k8s-rig: karmada-apiserver and
// member1). The rig listens on fixed ports, so this is the only test file that starts it:
// every rig-based case is registered here, under one start and one stop.
import { afterAll, beforeAll, describe } from 'vitest';
import { installCases } from './install.cases.js';
import { karmadaObjectCases } from './karmada-objects.cases.js';
import { karmadaRbacCases } from './karmada-rbac.cases.js';
import { memberRbacCases } from './member-rbac.cases.js';
import { rigAvailable, rigDown, rigUp } from './rig.js';
import { trafficObjectCases } from './traffic-objects.cases.js';

describe.skipIf(!rigAvailable)('real API servers (shared/k8s-rig)', () => {
  beforeAll(() => rigUp(1), 180_000);
  afterAll(() => rigDown(), 60_000);

  karmadaObjectCases();
  karmadaRbacCases();
  memberRbacCases();
  installCases();
  trafficObjectCases();
});
