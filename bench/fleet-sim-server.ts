// The simulated fleet alone in a process of its own, seeded with N apps, so bench/fleet-sim.ts can
// read its CPU from /proc. argv: MODULE APPS (MODULE: '@rollgate/fleet-sim', or the path of an
// older build's index.js to compare with). Prints one JSON line: the URL, token and CA.
const [specifier = '@rollgate/fleet-sim', apps = '100'] = process.argv.slice(2);
interface Sim {
  listen(port: number): Promise<{ url: string }>;
  caCertificate(): string;
}
const { createFleetSimulator } = (await import(specifier)) as { createFleetSimulator: (o: object) => Sim };
const seed = Array.from({ length: Number(apps) }, (_, i) => ({
  name: `app-${i}`,
  replicas: 3,
  container: `app-${i}`,
  image: `registry.local/app-${i}:v1`,
  env: [{ name: 'ROLLOUT_LABEL', value: 'v1' }],
  port: 8080,
}));
// The demo's pace: a pod Ready 1.5 s after it starts, one pod replaced per 0.7 s.
const sim = createFleetSimulator({ seed, readyDelayMs: 1500, rolloutStepMs: 700 });
const { url } = await sim.listen(0);
process.stdout.write(`${JSON.stringify({ url, token: 'local-fleet-token', ca: sim.caCertificate() })}\n`);
