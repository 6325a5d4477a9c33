// Shared set-up for the fleet simulator tests: a simulator on port 0 and real client-node clients.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { createFleetSimulator, type FleetSimulator, type FleetSimulatorOptions } from '../src/index.js';

export const FAST = { readyDelayMs: 100, rolloutStepMs: 60 } as const;

export async function startFleet(options: FleetSimulatorOptions = {}): Promise<FleetSimulator> {
  const sim = createFleetSimulator({ ...FAST, ...options });
  await sim.listen(0);
  return sim;
}

export interface Clients {
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  custom: CustomObjectsApi;
}

export function clientsFor(sim: FleetSimulator, context: string): Clients {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  kc.setCurrentContext(context);
  return { kc, apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
}

/** Polls `check` until it returns a truthy value (the simulated controllers run on timers). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 30_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The ApiException body as the parsed Status object. */
export function statusOf(error: unknown): { code: number; reason: string; message: string; details?: any } {
  const body = (error as { body?: unknown }).body;
  return typeof body === 'string' ? JSON.parse(body) : (body as any);
}

export const CA_PATH = new URL('../tls/ca.crt', import.meta.url);
