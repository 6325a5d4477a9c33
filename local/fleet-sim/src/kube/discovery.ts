// Discovery documents: /version, /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>.
import { apiVersionOf, verbsOf, type ResourceType } from './resource-types.js';

export const KUBE_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.4' };

export function versionInfo(): Record<string, string> {
  return {
    ...KUBE_VERSION,
    gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b',
    gitTreeState: 'clean',
    buildDate: '2024-12-10T11:36:18Z',
    goVersion: 'go1.22.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function groupsOf(types: ResourceType[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    if (!t.group) continue;
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return groups;
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** Returns the discovery body for `path`, or undefined when `path` is not a discovery path. */
export function discovery(path: string, types: ResourceType[], serverAddress: string): unknown {
  if (path === '/version') return versionInfo();
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groupsOf(types)].map(([name, versions]) => apiGroup(name, versions)),
    };
  }
  const m = /^\/apis\/([^/]+)$/.exec(path);
  if (m) {
    const versions = groupsOf(types).get(m[1]!);
    return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(m[1]!, versions) } : null;
  }
  const gv = path === '/api/v1' ? { group: '', version: 'v1' } : /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (!gv) return undefined;
  const [group, version] = Array.isArray(gv) ? [gv[1]!, gv[2]!] : [gv.group, gv.version];
  const resources = types.filter((t) => t.group === group && t.version === version);
  if (resources.length === 0) return null;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(resources[0]!),
    resources: resources.flatMap((t) => {
      const main = {
        name: t.resource,
        singularName: t.singularName,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: verbsOf(t),
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length ? { categories: t.categories } : {}),
      };
      const status = t.statusSubresource
        ? [{ name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }]
        : [];
      return [main, ...status];
    }),
  };
}
