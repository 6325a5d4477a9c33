// `rollgate local fleet` and `rollgate local slack`: each half of local mode alone, so a real
// Slack can meet the simulated fleet, or the emulator a real cluster.
import { randomUUID } from 'node:crypto';
import { createFleetSimulator } from '../fleet/index.js';
import { createSlackEmulator } from '../slack/index.js';
import { packageFile } from './local-files.js';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

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
    await fleet.listen(Number(flag(rest, 'port') ?? 0));
    const file = flag(rest, 'kubeconfig') ?? './rollgate-local.kubeconfig';
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
    const slack = createSlackEmulator({ signingSecret: secret, botUrl: flag(rest, 'bot-url') ?? 'http://127.0.0.1:3000/slack/events' });
    const { url } = await slack.listen(Number(flag(rest, 'port') ?? 3001));
    write(`Slack emulator page: ${url}`);
    write(`give rollgate: SLACK_API_URL=${slack.apiUrl} SLACK_BOT_TOKEN=xoxb-local-rollgate SLACK_SIGNING_SECRET=${process.env.SLACK_SIGNING_SECRET ? '(yours)' : secret}`);
    await waitForSignal();
    await slack.close();
    return;
  }
  throw new Error('usage: rollgate local fleet [--port N] [--kubeconfig FILE] | rollgate local slack [--port N] [--bot-url URL]');
}
