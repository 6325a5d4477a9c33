// Injected faults: one book shared by the HTTP layer, the member controllers and Prometheus.
// The control API validates faults with the zod schema below; in-process callers use the types.
import { z } from 'zod';

const regex = z.string().min(1).refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

export const faultSchema = z.discriminatedUnion('type', [
  /** Pods whose name matches never become Ready. */
  z.object({ type: z.literal('notReady'), pods: regex }).strict(),
  /** Requests to a cluster's API answer `status` with a Status body (429 with Retry-After). */
  z
    .object({
      type: z.literal('api'),
      cluster: z.string().min(1),
      status: z.union([z.literal(429), z.literal(500), z.literal(503)]),
      count: z.number().int().positive().optional(),
      forMs: z.number().int().positive().optional(),
      retryAfterSeconds: z.number().int().nonnegative().optional(),
      method: z.string().optional(),
      path: regex.optional(),
    })
    .strict(),
  /** Every request to the cluster's API waits this long first. */
  z.object({ type: z.literal('latency'), cluster: z.string().min(1), ms: z.number().int().nonnegative() }).strict(),
  /** The cluster's API resets connections. */
  z.object({ type: z.literal('down'), cluster: z.string().min(1) }).strict(),
  /** Containers of matching pods restart (once, or every `everyMs`); `oomKilled` sets the reason. */
  z
    .object({
      type: z.literal('restarts'),
      pods: regex,
      oomKilled: z.boolean().optional(),
      everyMs: z.number().int().positive().optional(),
    })
    .strict(),
  /** The cluster's Prometheus fails (`error`), hangs (`timeout`) or has no series (`empty`). */
  z
    .object({
      type: z.literal('prometheus'),
      cluster: z.string().min(1),
      mode: z.enum(['error', 'timeout', 'empty']),
      timeoutMs: z.number().int().positive().optional(),
    })
    .strict(),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultRecord = Fault & { id: string; since: number; remaining?: number };

export interface FaultBook {
  add(fault: Fault): FaultRecord;
  clear(id?: string): void;
  list(): FaultRecord[];
  podNeverReady(pod: string): boolean;
  /** The API fault to answer with, consuming one `count`; undefined when none applies. */
  takeApiFault(cluster: string, method: string, path: string): FaultRecord | undefined;
  latencyMs(cluster: string): number;
  isDown(cluster: string): boolean;
  restartFaults(): Extract<FaultRecord, { type: 'restarts' }>[];
  prometheus(cluster: string): Extract<FaultRecord, { type: 'prometheus' }> | undefined;
}

export function createFaultBook(options: { now: () => number }): FaultBook {
  let faults: FaultRecord[] = [];
  let seq = 0;
  const of = <T extends Fault['type']>(type: T) => faults.filter((f): f is Extract<FaultRecord, { type: T }> => f.type === type);
  const expired = (f: FaultRecord) =>
    f.type === 'api' && ((f.forMs !== undefined && options.now() - f.since >= f.forMs) || f.remaining === 0);

  return {
    add(fault) {
      const record = { ...fault, id: `fault-${++seq}`, since: options.now() } as FaultRecord;
      if (record.type === 'api' && record.count !== undefined) record.remaining = record.count;
      faults.push(record);
      return record;
    },
    clear(id) {
      faults = id ? faults.filter((f) => f.id !== id) : [];
    },
    list() {
      faults = faults.filter((f) => !expired(f));
      return faults.map((f) => ({ ...f }));
    },
    podNeverReady: (pod) => of('notReady').some((f) => new RegExp(f.pods).test(pod)),
    takeApiFault(cluster, method, path) {
      faults = faults.filter((f) => !expired(f));
      const hit = of('api').find(
        (f) =>
          f.cluster === cluster &&
          (!f.method || f.method.toUpperCase() === method.toUpperCase()) &&
          (!f.path || new RegExp(f.path).test(path)),
      );
      if (hit && hit.remaining !== undefined) hit.remaining -= 1;
      return hit ? { ...hit } : undefined;
    },
    latencyMs: (cluster) => of('latency').filter((f) => f.cluster === cluster).reduce((ms, f) => ms + f.ms, 0),
    isDown: (cluster) => of('down').some((f) => f.cluster === cluster),
    restartFaults: () => of('restarts'),
    prometheus: (cluster) => of('prometheus').filter((f) => f.cluster === cluster).at(-1),
  };
}
