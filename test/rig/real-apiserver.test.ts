// Everything that needs real Kubernetes API servers (shared/k8s-rig: karmada-apiserver,
// member1 and member2). The rig listens on fixed ports, so this is the only test file that
// starts it: every rig-based case is registered here, under one start and one stop (the
// whole-stack traffic cases too, rather than a second file and a lock between the two).
import { afterAll, beforeAll, describe } from 'vitest';
import { installCases } from './install.cases.js';
import { karmadaObjectCases } from './karmada-objects.cases.js';
import { karmadaRbacCases } from './karmada-rbac.cases.js';
import { memberRbacCases } from './member-rbac.cases.js';
import { rigAvailable, rigDown, rigUp } from './rig.js';
import { trafficObjectCases } from './traffic-objects.cases.js';
import { trafficStackCases } from './traffic-stack.cases.js';

describe.skipIf(!rigAvailable)('real API servers (shared/k8s-rig)', () => {
  // Two members: the whole-stack cases walk weights per cluster; the others use member1 only.
  beforeAll(() => rigUp(2), 180_000);
  afterAll(() => rigDown(), 60_000);

  karmadaObjectCases();
  karmadaRbacCases();
  memberRbacCases();
  installCases();
  trafficObjectCases();
  // Last: it starts the stand-in kubelet, and the cases before it expect pods to stay Pending.
  trafficStackCases();
});
