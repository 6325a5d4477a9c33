// Regenerates traffic-crd-schemas.generated.ts from the real Istio and Gateway API CRDs
// (descriptions stripped): the VirtualService and HTTPRoute a traffic-weighted canary edits.
// Usage: node local/fleet-sim/src/traffic/generate-traffic-schemas.mjs /path/to/traffic-crds
import { readCrdDefinition, writeCrdModule } from '../karmada/crd-module.mjs';

const dir = process.argv[2] ?? '../shared/traffic-crds';
const files = {
  virtualservices: ['networking.istio.io_virtualservices.yaml', 'v1'],
  httproutes: ['gateway.networking.k8s.io_httproutes.yaml', 'v1'],
};
const definitions = Object.fromEntries(Object.entries(files).map(([resource, [file, versionName]]) => [resource, readCrdDefinition(`${dir}/${file}`, (v) => v.name === versionName)]));
writeCrdModule(new URL('./traffic-crd-schemas.generated.ts', import.meta.url), {
  generatedBy: 'generate-traffic-schemas.mjs from istio/api and kubernetes-sigs/gateway-api (shared/traffic-crds)',
  typesFrom: '../karmada/crd-types.js',
  name: 'trafficCrds',
  definitions,
});
