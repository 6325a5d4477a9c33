// Summarises a V8 .cpuprofile (node --cpu-prof; `npm run bench -- --cpu-prof` writes them to
// bench/results/profiles/): self time by function and by package, heaviest first.
// Usage: node dist/bench/profile-top.js FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const [file, topText] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-top FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = (byId.get(id) as Node).callFrame;
  const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/');
  const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const where = url.includes('node_modules/') ? (url.split('node_modules/')[1] as string).split('/').slice(0, url.includes('node_modules/@') ? 2 : 1).join('/') : url.startsWith('node:') ? 'node (built-in)' : url ? 'rollgate' : functionName.startsWith('(') ? functionName : 'native';
  pkg.set(where, (pkg.get(where) ?? 0) + us);
}
const top = Number(topText ?? 25);
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nby package\n`);
for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`${pct(v)}  ${k}\n`);
process.stdout.write('\nby function (self time)\n');
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(v)}  ${k}\n`);
