// The resources each simulated API server serves, with their REST strategies.
import { admitCustomResource } from '../karmada/crd-schema.js';
import { mutateOverridePolicy, mutatePropagationPolicy } from '../karmada/policy-webhook.js';
import { karmadaCrds } from '../karmada/crd-schemas.generated.js';
import type { CrdDefinition } from '../karmada/crd-types.js';
import { trafficCrds } from '../traffic/traffic-crd-schemas.generated.js';
import { defaultDeployment, validateDeployment, validateObjectName } from './deployment-rules.js';
import type { FieldError } from './status.js';
import type { KubeObject } from './store.js';

export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  listKind: string;
  singularName: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** false: the simulated controllers own it; client writes get 405. */
  clientWritable: boolean;
  /** Built-in types list their items without kind/apiVersion; custom resources keep them. */
  builtin: boolean;
  statusSubresource: boolean;
  /** DELETE answers the deleted object (custom resources) instead of a Success Status. */
  returnDeletedObject: boolean;
  /** PUT without metadata.resourceVersion is allowed (Deployments) or 422 (custom resources). */
  allowUnconditionalUpdate: boolean;
  /** Defaults, prunes and validates; mutates obj. */
  admit(obj: KubeObject, old?: KubeObject): FieldError[];
  /** The part of the object whose change bumps metadata.generation. */
  generationSource(obj: KubeObject): unknown;
}

export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

const WRITE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export function verbsOf(rt: ResourceType): string[] {
  return rt.clientWritable ? WRITE_VERBS : ['get', 'list', 'watch'];
}

export const deploymentType: ResourceType = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  singularName: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  clientWritable: true,
  builtin: true,
  statusSubresource: true,
  returnDeletedObject: false,
  allowUnconditionalUpdate: true,
  admit(obj, old) {
    defaultDeployment(obj);
    return validateDeployment(obj, old);
  },
  generationSource: (obj) => obj['spec'],
};

const readOnlyBuiltin = (rt: Pick<ResourceType, 'group' | 'version' | 'resource' | 'kind' | 'listKind' | 'singularName' | 'namespaced' | 'shortNames' | 'categories'>): ResourceType => ({
  ...rt,
  clientWritable: false,
  builtin: true,
  statusSubresource: true,
  returnDeletedObject: true,
  allowUnconditionalUpdate: true,
  admit: (obj) => validateObjectName(obj['metadata']?.['name']),
  generationSource: (obj) => obj['spec'],
});

export const podType = readOnlyBuiltin({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  listKind: 'PodList',
  singularName: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
});

export const namespaceType = readOnlyBuiltin({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  singularName: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
});

function crdType(resource: string, crd: CrdDefinition, clientWritable: boolean, mutate?: (obj: KubeObject) => void): ResourceType {
  return {
    group: crd.group,
    version: crd.version,
    resource,
    kind: crd.kind,
    listKind: crd.listKind,
    singularName: crd.singular,
    namespaced: true,
    shortNames: crd.shortNames,
    categories: crd.categories,
    clientWritable,
    builtin: false,
    statusSubresource: crd.statusSubresource,
    returnDeletedObject: true,
    allowUnconditionalUpdate: false,
    admit(obj) {
      const errs = validateObjectName(obj['metadata']?.['name']);
      return [...errs, ...admitCustomResource(obj, crd.schema, mutate)];
    },
    // With a status subresource only spec-ish changes count; without, everything but metadata.
    generationSource: (obj) => {
      const { metadata: _m, status, ...rest } = obj;
      return crd.statusSubresource ? rest : { ...rest, status };
    },
  };
}

const crd = (name: string): CrdDefinition => {
  const c = karmadaCrds[name];
  if (!c) throw new Error(`missing generated CRD schema for ${name}`);
  return c;
};

/** v1 Services, writable: what a traffic-weighted canary adds (`<service>-canary`) and its route sends to. */
export const serviceType: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  listKind: 'ServiceList',
  singularName: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  clientWritable: true,
  builtin: true,
  statusSubresource: true,
  returnDeletedObject: false,
  allowUnconditionalUpdate: true,
  admit(obj) {
    const errs = validateObjectName(obj['metadata']?.['name']);
    const spec = (obj['spec'] ??= {});
    spec.type ??= 'ClusterIP';
    for (const port of spec.ports ?? []) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) errs.push({ type: 'FieldValueInvalid', field: 'spec.ports.port', body: `Invalid value: ${JSON.stringify(port.port)}: must be between 1 and 65535, inclusive` });
    }
    return errs;
  },
  generationSource: (obj) => obj['spec'],
};

/** The Istio VirtualService and Gateway API HTTPRoute, validated with their real CRD schemas. */
export function trafficTypes(): ResourceType[] {
  const traffic = (name: string): CrdDefinition => {
    const c = trafficCrds[name];
    if (!c) throw new Error(`missing generated CRD schema for ${name}`);
    return c;
  };
  return [serviceType, crdType('virtualservices', traffic('virtualservices'), true), crdType('httproutes', traffic('httproutes'), true)];
}

export function karmadaTypes(): ResourceType[] {
  return [
    deploymentType,
    podType,
    namespaceType,
    ...trafficTypes(),
    crdType('propagationpolicies', crd('propagationpolicies'), true, mutatePropagationPolicy),
    crdType('overridepolicies', crd('overridepolicies'), true, mutateOverridePolicy),
    crdType('resourcebindings', crd('resourcebindings'), false),
  ];
}

export function memberTypes(): ResourceType[] {
  return [deploymentType, podType, namespaceType, ...trafficTypes()];
}
