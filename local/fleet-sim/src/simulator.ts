// createFleetSimulator: the fleet, its HTTPS listener, the controllers' timer and the kubeconfig.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Fault, FaultRecord } from './faults.js';
import { createFleet, type FleetSnapshot } from './fleet-state.js';
import { createFleetServer, type FleetServer } from './fleet-server.js';
import { buildKubeconfig } from './kubeconfig.js';
import type { PolicyDeletion } from './karmada/scheduler.js';
import { DEFAULT_SEED, type SeedApp } from './seed.js';
import { describeFleet } from './describe.js';

export interface FleetSimulatorOptions {
  members?: string[];
  seed?: SeedApp[];
  /** How long a new pod takes to become Ready (ms). */
  readyDelayMs?: number;
  /** Pace of a rolling update: one pod replaced per step (ms). */
  rolloutStepMs?: number;
  /** Bearer token every Kubernetes request must carry. */
  token?: string;
  mode?: 'karmada' | 'direct';
  /**
   * What deleting a PropagationPolicy does. 'keep' (default, as Karmada does): the binding and
   * the member copies stay until the Deployment itself is deleted. 'remove': they go too.
   */
  policyDeletion?: PolicyDeletion;
  /** PEM material; default the package's tls/{server.crt,server.key,ca.crt}. */
  tls?: { cert: string; key: string; ca: string };
  now?: () => number;
  log?: (line: string) => void;
}

export interface FleetSimulator {
  listen(port?: number, host?: string): Promise<{ url: string }>;
  close(): Promise<void>;
  readonly url: string;
  readonly mode: 'karmada' | 'direct';
  readonly members: string[];
  kubeconfig(): string;
  writeKubeconfig(file: string): Promise<void>;
  /** Served over the same HTTPS listener (CA = CA_CERT_PATH). */
  prometheusUrl(cluster: string): string;
  caCertificate(): string;
  state(): FleetSnapshot;
  describe(): string;
  setFault(fault: Fault): FaultRecord;
  clearFaults(id?: string): void;
  faults(): FaultRecord[];
  reset(): void;
  /** Runs the controllers now (they also run after every write and when a timer they set is due). */
  reconcile(): void;
}

/** The package's TLS material (tls/ beside src/ and dist/): the CA a client of the fleet trusts. */
export const TLS_DIR = fileURLToPath(new URL('../tls/', import.meta.url));
export const CA_CERT_PATH = `${TLS_DIR}ca.crt`;

function defaultTls(): { cert: string; key: string; ca: string } {
  if (!existsSync(`${TLS_DIR}server.crt`)) throw new Error(`${TLS_DIR}server.crt not found; pass options.tls`);
  const read = (f: string) => readFileSync(`${TLS_DIR}${f}`, 'utf8');
  return { cert: read('server.crt'), key: read('server.key'), ca: read('ca.crt') };
}

export function createFleetSimulator(options: FleetSimulatorOptions = {}): FleetSimulator {
  const members = options.members ?? ['member1', 'member2', 'member3'];
  const mode = options.mode ?? 'karmada';
  const readyDelayMs = options.readyDelayMs ?? 1500;
  const rolloutStepMs = options.rolloutStepMs ?? 500;
  const token = options.token ?? 'local-fleet-token';
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const tls = options.tls ?? defaultTls();
  const fleet = createFleet({
    mode,
    members,
    seed: options.seed ?? DEFAULT_SEED,
    readyDelayMs,
    rolloutStepMs,
    policyDeletion: options.policyDeletion ?? 'keep',
    now,
    log,
  });
  let server: FleetServer | undefined;
  let url = '';
  // Event-driven: the controllers run after a write (batched to the next turn) and when a timer
  // they asked for is due (a pod turning Ready, the next rolling step); an idle fleet does nothing.
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  const kick = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      fleet.reconcile();
    });
  };
  fleet.onChange(kick);
  fleet.onSettled((nextDueAt) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (nextDueAt === undefined || !server) return;
    timer = setTimeout(kick, Math.max(0, nextDueAt - now()));
    timer.unref();
  });

  const sim: FleetSimulator = {
    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('fleet simulator is already listening');
      server = createFleetServer({ fleet, token, tls, now, log });
      url = await server.listen(port, host);
      kick();
      log(`fleet: listening on ${url} (${mode} mode, members ${members.join(', ')})`);
      return { url };
    },
    async close() {
      await server?.close();
      server = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    get url() {
      return url;
    },
    mode,
    members,
    kubeconfig() {
      if (!url) throw new Error('call listen() before kubeconfig(): the server URL is not known yet');
      const servers: [string, string][] = members.map((m) => [m, `/clusters/${m}`]);
      if (mode === 'karmada') servers.unshift(['karmada-apiserver', '/karmada']);
      return buildKubeconfig({ baseUrl: url, caPem: tls.ca, token, servers });
    },
    async writeKubeconfig(file) {
      await writeFile(file, sim.kubeconfig(), { mode: 0o600 });
    },
    prometheusUrl(cluster) {
      if (!members.includes(cluster)) throw new Error(`no Prometheus for "${cluster}": members are ${members.join(', ')}`);
      return `${url}/prometheus/${cluster}`;
    },
    caCertificate: () => tls.ca,
    state: () => fleet.snapshot(),
    describe: () => describeFleet(fleet.snapshot()),
    setFault(fault) {
      const record = fleet.faults.add(fault);
      fleet.reconcile();
      return record;
    },
    clearFaults(id) {
      fleet.faults.clear(id);
      fleet.reconcile();
    },
    faults: () => fleet.faults.list(),
    reset: () => fleet.reset(),
    reconcile: () => fleet.reconcile(),
  };
  return sim;
}
