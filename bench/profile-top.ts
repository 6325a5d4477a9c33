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

// Long tasks: stretches of at least LONG_MS with no idle sample (the process could answer
// nothing else meanwhile: a click waiting there waits that long), each with its heaviest
// frames by inclusive time, so what blocked is named, not guessed.
const LONG_MS = Number(process.env.LONG_MS ?? 30);
const parent = new Map<number, number>();
for (const n of profile.nodes as (Node & { children?: number[] })[]) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (id: number) => {
  const { functionName, url, lineNumber } = (byId.get(id) as Node).callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/')}:${lineNumber + 1}`;
};
const isIdle = (id: number) => (byId.get(id) as Node).callFrame.functionName === '(idle)';
const long: { startMs: number; ms: number; frames: Map<string, number> }[] = [];
let run: { startMs: number; us: number; frames: Map<string, number> } | undefined;
let clockUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  clockUs += dt;
  if (isIdle(id)) {
    if (run && run.us >= LONG_MS * 1000) long.push({ startMs: run.startMs, ms: run.us / 1000, frames: run.frames });
    run = undefined;
    return;
  }
  run ??= { startMs: clockUs / 1000, us: 0, frames: new Map() };
  run.us += dt;
  // Inclusive: every frame on the sampled stack, once per sample.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = label(at);
    if (!seen.has(key)) run.frames.set(key, (run.frames.get(key) ?? 0) + dt);
    seen.add(key);
  }
});
process.stdout.write(`\nlong tasks (busy ${LONG_MS} ms or more without a break): ${long.length}\n`);
for (const task of long.sort((a, b) => b.ms - a.ms).slice(0, 8)) {
  const heaviest = [...task.frames].filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)')).sort((a, b) => b[1] - a[1]).slice(0, 12);
  process.stdout.write(`  ${task.ms.toFixed(0)} ms at ${(task.startMs / 1000).toFixed(1)} s: ${heaviest.map(([k, us]) => `${k} ${(us / 1000).toFixed(0)}`).join(' | ')}\n`);
}
