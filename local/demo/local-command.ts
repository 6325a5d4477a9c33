// `rollgate local fleet` and `rollgate local slack`: each half of local mode alone, so a real
// Slack can meet the simulated fleet, or the emulator a real cluster.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createFleetSimulator } from '../fleet/index.js';
import { createSlackEmulator } from '../slack/index.js';
import { packageFile } from './local-files.js';


const waitForSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

export async function localCommand(args: string[]): Promise<void> {
  const [what, ...rest] = args;
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (what === 'fleet') {
    const fleet = createFleetSimulator();
    const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, kubeconfig: { type: 'string' } } });
    await fleet.listen(Number(values.port ?? 0));
    const file = values.kubeconfig ?? './rollgate-local.kubeconfig';
    await fleet.writeKubeconfig(file);
    write(`simulated fleet: ${fleet.url}`);
    write(`kubeconfig: ${file} (contexts karmada-apiserver, member1, member2, member3)`);
    for (const c of ['member1', 'member2', 'member3']) write(`prometheus ${c}: ${fleet.prometheusUrl(c)}`);
    write(`TLS: give rollgate NODE_EXTRA_CA_CERTS=${packageFile('local/tls/ca.crt')} so it trusts the simulated Prometheus`);
    await waitForSignal();
    await fleet.close();
    return;
  }
  if (what === 'slack') {
    const secret = process.env.SLACK_SIGNING_SECRET ?? randomUUID();
    const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, 'bot-url': { type: 'string' } } });
    const slack = createSlackEmulator({ signingSecret: secret, botUrl: values['bot-url'] ?? 'http://127.0.0.1:3000/slack/events' });
    const { url } = await slack.listen(Number(values.port ?? 3001));
    write(`Slack emulator page: ${url}`);
    write(`give rollgate: SLACK_API_URL=${slack.apiUrl} SLACK_BOT_TOKEN=xoxb-local-rollgate SLACK_SIGNING_SECRET=${process.env.SLACK_SIGNING_SECRET ? '(yours)' : secret}`);
    await waitForSignal();
    await slack.close();
    return;
  }
  throw new Error('usage: rollgate local fleet [--port N] [--kubeconfig FILE] | rollgate local slack [--port N] [--bot-url URL]');
}
