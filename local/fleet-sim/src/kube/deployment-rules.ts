// Defaulting and validation of apps/v1 Deployments, following pkg/apis/apps/v1/defaults.go and
// pkg/apis/apps/validation for the fields that matter to a rollout.
import { GoLiteral } from './go-format.js';
import { fieldErrors, type FieldError } from './status.js';
import { isEmptySelector, selectorObjectMatches, type LabelSelectorObject } from './label-selector.js';
import type { KubeObject } from './store.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export function validateObjectName(name: unknown, field = 'metadata.name'): FieldError[] {
  if (typeof name !== 'string' || name === '') return [fieldErrors.required(field, 'name or generateName is required')];
  if (name.length > 253) return [fieldErrors.invalid(field, name, 'must be no more than 253 characters')];
  if (!DNS1123_SUBDOMAIN.test(name)) return [fieldErrors.invalid(field, name, SUBDOMAIN_MSG)];
  return [];
}

type Obj = Record<string, any>;

function defaultContainer(c: Obj): void {
  c['terminationMessagePath'] ??= '/dev/termination-log';
  c['terminationMessagePolicy'] ??= 'File';
  if (c['imagePullPolicy'] === undefined && typeof c['image'] === 'string') {
    const ref = c['image'].split('@')[0]!;
    const tag = ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref.slice(ref.lastIndexOf(':') + 1) : '';
    c['imagePullPolicy'] = tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  c['resources'] ??= {};
  for (const p of c['ports'] ?? []) p['protocol'] ??= 'TCP';
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const pr = c[probe];
    if (!pr) continue;
    pr['timeoutSeconds'] ??= 1;
    pr['periodSeconds'] ??= 10;
    pr['successThreshold'] ??= 1;
    pr['failureThreshold'] ??= 3;
    if (pr['httpGet']) pr['httpGet']['scheme'] ??= 'HTTP';
  }
}

export function defaultDeployment(d: KubeObject): void {
  const spec = (d['spec'] ??= {}) as Obj;
  spec['replicas'] ??= 1;
  const strategy = (spec['strategy'] ??= {}) as Obj;
  strategy['type'] ??= 'RollingUpdate';
  if (strategy['type'] === 'RollingUpdate') {
    const ru = (strategy['rollingUpdate'] ??= {}) as Obj;
    ru['maxUnavailable'] ??= '25%';
    ru['maxSurge'] ??= '25%';
  }
  spec['revisionHistoryLimit'] ??= 10;
  spec['progressDeadlineSeconds'] ??= 600;
  const template = (spec['template'] ??= {}) as Obj;
  template['metadata'] ??= {};
  const podSpec = (template['spec'] ??= {}) as Obj;
  podSpec['restartPolicy'] ??= 'Always';
  podSpec['terminationGracePeriodSeconds'] ??= 30;
  podSpec['dnsPolicy'] ??= 'ClusterFirst';
  podSpec['securityContext'] ??= {};
  podSpec['schedulerName'] ??= 'default-scheduler';
  for (const c of podSpec['containers'] ?? []) if (c && typeof c === 'object') defaultContainer(c);
}

export function formatSelector(sel: LabelSelectorObject | undefined): GoLiteral {
  const labels = Object.entries(sel?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const ml = labels.length ? `map[string]string{${labels.map(([k, v]) => `"${k}":"${v}"`).join(', ')}}` : 'map[string]string(nil)';
  const me = sel?.matchExpressions?.length ? `[]v1.LabelSelectorRequirement{...}` : '[]v1.LabelSelectorRequirement(nil)';
  return new GoLiteral(`v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`);
}

function validateContainers(podSpec: Obj, errs: FieldError[]): void {
  const base = 'spec.template.spec.containers';
  const containers = podSpec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) {
    errs.push(fieldErrors.required(base));
    return;
  }
  const seen = new Set<string>();
  containers.forEach((c: Obj, i: number) => {
    const path = `${base}[${i}]`;
    const name = c?.['name'];
    if (typeof name !== 'string' || name === '') errs.push(fieldErrors.required(`${path}.name`));
    else if (!DNS1123_LABEL.test(name) || name.length > 63) errs.push(fieldErrors.invalid(`${path}.name`, name, LABEL_MSG));
    else if (seen.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    if (typeof name === 'string') seen.add(name);
    if (typeof c?.['image'] !== 'string' || c['image'].trim() === '') errs.push(fieldErrors.required(`${path}.image`));
    (c?.['env'] ?? []).forEach((e: Obj, j: number) => {
      if (typeof e?.['name'] !== 'string' || e['name'] === '') errs.push(fieldErrors.required(`${path}.env[${j}].name`));
    });
  });
}

export function validateDeployment(d: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const meta = (d['metadata'] ?? {}) as Obj;
  errs.push(...validateObjectName(meta['name']));
  const spec = (d['spec'] ?? {}) as Obj;
  const replicas = spec['replicas'];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    errs.push(fieldErrors.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
  }
  const selector = spec['selector'] as LabelSelectorObject | undefined;
  const templateLabels = (spec['template']?.['metadata']?.['labels'] ?? {}) as Record<string, string>;
  if (!selector) {
    errs.push(fieldErrors.required('spec.selector'));
  } else if (isEmptySelector(selector)) {
    errs.push(fieldErrors.invalid('spec.selector', formatSelector(selector), 'empty selector is invalid for deployment'));
  } else if (!selectorObjectMatches(selector, templateLabels)) {
    errs.push(fieldErrors.invalid('spec.template.metadata.labels', templateLabels, '`selector` does not match template `labels`'));
  }
  validateContainers((spec['template']?.['spec'] ?? {}) as Obj, errs);
  const restart = spec['template']?.['spec']?.['restartPolicy'];
  if (restart !== undefined && restart !== 'Always') {
    errs.push(fieldErrors.notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  }
  if (old) {
    const before = JSON.stringify(sortKeys(old['spec']?.['selector']));
    if (selector && before !== JSON.stringify(sortKeys(selector))) {
      errs.push(fieldErrors.invalid('spec.selector', formatSelector(selector), 'field is immutable'));
    }
  }
  return errs;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as Obj)
        .sort()
        .map((k) => [k, sortKeys((v as Obj)[k])]),
    );
  }
  return v;
}
