// `apps[].canary.traffic`: the canary takes a growing share of traffic, one step per passing
// analysis interval (Flagger's stepWeight / maxWeight, Kurator's steps). Validated with the rest
// of the config; the weights a rollout walks through are fixed when it starts.
import { z } from 'zod';

const objectName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name').max(253);
const weight = z.int().min(1, 'a weight is a percentage from 1 to 99').max(99, 'a weight is a percentage from 1 to 99 (100 is promotion)');

export const trafficSchema = z
  .strictObject({
    /** replicas: split by pod count behind the shared Service; istio / gateway-api: weights on the user's route. */
    provider: z.enum(['replicas', 'istio', 'gateway-api']),
    stepWeight: weight.optional(),
    steps: z.array(weight).min(1, 'list at least one weight').optional(),
    maxWeight: weight.optional(),
    /** The stable Service; rollgate adds `<service>-canary`, selecting only the canary pods. */
    service: objectName.max(55, 'the canary Service adds "-canary": at most 55 characters').optional(),
    port: z.int().min(1).max(65535).optional(),
    virtualService: objectName.optional(),
    httpRoute: objectName.optional(),
    /** Which http route (istio) or rule (gateway-api) carries the split: its index, or its name. */
    route: z.union([z.int().min(0), z.string().min(1)]).default(0),
  })
  .superRefine((t, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((t.stepWeight === undefined) === (t.steps === undefined)) issue('stepWeight', 'give stepWeight (with maxWeight) or steps: [5, 10, 25, 50], not both');
    if (t.stepWeight !== undefined && t.maxWeight === undefined) issue('maxWeight', 'stepWeight needs maxWeight: where the steps stop');
    if (t.stepWeight !== undefined && t.maxWeight !== undefined && t.stepWeight > t.maxWeight) issue('stepWeight', `stepWeight ${t.stepWeight} is above maxWeight ${t.maxWeight}`);
    if (t.steps?.some((w, i) => i > 0 && w <= (t.steps?.[i - 1] ?? 0))) issue('steps', 'steps must rise: each weight above the one before');
    if (t.steps && t.maxWeight !== undefined && t.steps.some((w) => w > t.maxWeight!)) issue('steps', `a step is above maxWeight ${t.maxWeight}`);
    if (t.provider !== 'replicas') {
      if (!t.service) issue('service', `${t.provider} needs the stable Service's name (rollgate adds <service>-canary)`);
      if (t.port === undefined) issue('port', `${t.provider} needs the Service port the route sends traffic to`);
    }
    if (t.provider === 'istio' && !t.virtualService) issue('virtualService', 'istio needs the VirtualService that carries the split');
    if (t.provider === 'gateway-api' && !t.httpRoute) issue('httpRoute', 'gateway-api needs the HTTPRoute that carries the split');
    if (t.provider !== 'istio' && t.virtualService) issue('virtualService', 'only the istio provider uses a VirtualService');
    if (t.provider !== 'gateway-api' && t.httpRoute) issue('httpRoute', 'only the gateway-api provider uses an HTTPRoute');
  });

export type TrafficConfig = z.output<typeof trafficSchema>;

/** The weights a canary walks through: stepWeight, 2 × stepWeight, … up to maxWeight (which is always the last), or the listed steps. */
export function trafficWeights(traffic: Pick<TrafficConfig, 'stepWeight' | 'steps' | 'maxWeight'>): number[] {
  if (traffic.steps) return traffic.steps.filter((w) => traffic.maxWeight === undefined || w <= traffic.maxWeight);
  const step = traffic.stepWeight ?? 100;
  const max = traffic.maxWeight ?? step;
  const weights: number[] = [];
  for (let w = step; w < max; w += step) weights.push(w);
  return [...weights, max];
}
