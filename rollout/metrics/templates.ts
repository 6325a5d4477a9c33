// PromQL of the built-in metrics, and the variables every query template may use.
// Plain apps expose http_requests_total and an http_request_duration_seconds histogram;
// Istio apps are measured from the sidecars' istio_* metrics, as Flagger does.
import { closest } from '../closest.js';

export type Provider = 'plain' | 'istio';

export const BUILT_IN_QUERIES: Record<Provider, Record<string, string>> = {
  plain: {
    'request-success-rate':
      'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",code!~"5.."}[{{interval}}]))' +
      ' / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}])) * 100',
    'request-duration':
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}]))) * 1000',
  },
  istio: {
    'request-success-rate':
      'sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload=~"{{canaryWorkloads}}",response_code!~"5.*"}[{{interval}}]))' +
      ' / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload=~"{{canaryWorkloads}}"}[{{interval}}])) * 100',
    'request-duration':
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload=~"{{canaryWorkloads}}"}[{{interval}}])))',
  },
};

/** `weight`: the canary's share of traffic in the cluster in percent (canary.traffic), "0" without one. */
export type TemplateVariables = Record<'namespace' | 'deployment' | 'canary' | 'canaryPods' | 'canaryWorkloads' | 'basePods' | 'cluster' | 'interval' | 'weight', string>;

/** Replaces {{name}} placeholders; an unknown placeholder is an error, not an empty string. */
export function renderQuery(template: string, variables: TemplateVariables): string {
  return template.replace(/\{\{\s*([a-zA-Z]+)\s*\}\}/g, (_match, name: string) => {
    const value = (variables as Record<string, string>)[name];
    if (value === undefined) throw new Error(`unknown variable {{${name}}} in query (known: ${Object.keys(variables).join(', ')})`);
    return value;
  });
}

/** One entry per variable: a variable added to TemplateVariables and not here is a compile error, not a config check that refuses it. */
const VARIABLES: Record<keyof TemplateVariables, true> = { namespace: true, deployment: true, canary: true, canaryPods: true, canaryWorkloads: true, basePods: true, cluster: true, interval: true, weight: true };
export const TEMPLATE_VARIABLES = Object.keys(VARIABLES) as (keyof TemplateVariables)[];

/** What is wrong with a query template's placeholders, checked when the config is read rather than at the first tick. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const [, inner] of template.matchAll(/\{\{([^}]*)\}\}/g)) {
    const name = (inner as string).trim();
    if ((TEMPLATE_VARIABLES as string[]).includes(name)) continue;
    const guess = closest(name, TEMPLATE_VARIABLES);
    problems.push(`unknown variable {{${name}}}${guess ? `; did you mean {{${guess}}}?` : ''} (known: ${TEMPLATE_VARIABLES.join(', ')})`);
  }
  return problems;
}
