// Regenerates crd-schemas.generated.ts from Karmada's published CRDs (descriptions stripped).
// Usage: node local/fleet-sim/src/karmada/generate-schemas.mjs /path/to/karmada-crds
import { readCrdDefinition, writeCrdModule } from './crd-module.mjs';

const dir = process.argv[2] ?? '../shared/karmada-crds';
const files = {
  propagationpolicies: 'policy.karmada.io_propagationpolicies.yaml',
  overridepolicies: 'policy.karmada.io_overridepolicies.yaml',
  resourcebindings: 'work.karmada.io_resourcebindings.yaml',
};
const definitions = Object.fromEntries(Object.entries(files).map(([resource, file]) => [resource, readCrdDefinition(`${dir}/${file}`, (v) => v.storage)]));
writeCrdModule(new URL('./crd-schemas.generated.ts', import.meta.url), {
  generatedBy: 'generate-schemas.mjs from karmada-io/karmada charts/karmada/_crds/bases',
  typesFrom: './crd-types.js',
  name: 'karmadaCrds',
  definitions,
});
