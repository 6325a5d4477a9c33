// Summarises a V8 heap snapshot (`npm run bench -- --heap-snapshot` writes one per rollgate
// process when idle and one at the end of each scale window into bench/results/profiles/):
// retained-by-nobody "self size" summed by node type and constructor, heaviest first.
// Usage: node dist/bench/heap-top.js FILE.heapsnapshot [N]
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const [file, topText] = process.argv.slice(2);
if (!file) throw new Error('usage: heap-top FILE.heapsnapshot [N]');
const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = heap.snapshot.meta.node_fields;
const types = heap.snapshot.meta.node_types[0];
const width = fields.length;
const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
const groups = new Map<string, { bytes: number; count: number }>();
const byType = new Map<string, number>();
let total = 0;
for (let i = 0; i < heap.nodes.length; i += width) {
  const type = types[heap.nodes[i + typeAt] as number] ?? '?';
  const size = heap.nodes[i + sizeAt] as number;
  // Strings and code are grouped by type alone: their "names" are their contents.
  const name = type === 'object' || type === 'closure' || type === 'native' ? (heap.strings[heap.nodes[i + nameAt] as number] ?? '?').slice(0, 80) : '';
  const key = `${type} ${name}`.trim();
  const group = groups.get(key) ?? { bytes: 0, count: 0 };
  group.bytes += size;
  group.count += 1;
  groups.set(key, group);
  byType.set(type, (byType.get(type) ?? 0) + size);
  total += size;
}
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1).padStart(7)} MiB`;
process.stdout.write(`${file}: ${mib(total).trim()} in ${heap.nodes.length / width} objects\n\nby type\n`);
for (const [k, v] of [...byType].sort((a, b) => b[1] - a[1])) process.stdout.write(`${mib(v)}  ${k}\n`);
process.stdout.write('\nby type and constructor (self size)\n');
for (const [k, v] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(topText ?? 30))) process.stdout.write(`${mib(v.bytes)}  ${String(v.count).padStart(8)}  ${k}\n`);
