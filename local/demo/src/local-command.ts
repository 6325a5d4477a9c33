// `rollgate local fleet` and `rollgate local slack`: each half of local mode alone, so a real
// Slack can meet the simulated fleet, or the emulator a real cluster.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CA_CERT_PATH, createFleetSimulator } from '@rollgate/fleet-sim';
import { createSlackEmulator } from '@rollgate/slack-emulator';
import { listenOrExplain } from './listen-or-explain.js';

const FLEET_HELP = `usage: rollgate local fleet [--port N] [--kubeconfig FILE]
  The simulated fleet alone: a Karmada API server, member1..3 and a Prometheus per member, over
  HTTPS with their own CA. Writes a kubeconfig (default ./rollgate-local.kubeconfig) with contexts
  karmada-apiserver, member1, member2, member3. --port: default 0 (a free port).`;
const SLACK_HELP = `usage: rollgate local slack [--port N] [--bot-url URL]
  The Slack emulator alone: the channel page and the Web API, delivering commands and clicks to
  --bot-url (default http://127.0.0.1:3000/slack/events). --port: default 3001.
  Set SLACK_SIGNING_SECRET to share yours; else it prints a new one for rollgate.`;
const LOCAL_USAGE = 'usage: rollgate local fleet [--port N] [--kubeconfig FILE] | rollgate local slack [--port N] [--bot-url URL]  (each takes --help)';


const waitForSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

export async function localCommand(args: string[]): Promise<void> {
  const [what, ...rest] = args;
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (what === undefined || what === '--help' || what === '-h') {
    write(LOCAL_USAGE);
    return;
  }
  if (what === 'fleet') {
    const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, kubeconfig: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      write(FLEET_HELP);
      return;
    }
    const fleet = createFleetSimulator();
    await listenOrExplain('rollgate local fleet', Number(values.port ?? 0), (port) => fleet.listen(port));
    const file = values.kubeconfig ?? './rollgate-local.kubeconfig';
    await fleet.writeKubeconfig(file);
    write(`simulated fleet: ${fleet.url}`);
    write(`kubeconfig: ${file} (contexts karmada-apiserver, member1, member2, member3)`);
    for (const c of ['member1', 'member2', 'member3']) write(`prometheus ${c}: ${fleet.prometheusUrl(c)}`);
    write(`TLS: give rollgate NODE_EXTRA_CA_CERTS=${CA_CERT_PATH} so it trusts the simulated Prometheus`);
    await waitForSignal();
    await fleet.close();
    return;
  }
  if (what === 'slack') {
    const secret = process.env.SLACK_SIGNING_SECRET ?? randomUUID();
    const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, 'bot-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      write(SLACK_HELP);
      return;
    }
    const slack = createSlackEmulator({ signingSecret: secret, botUrl: values['bot-url'] ?? 'http://127.0.0.1:3000/slack/events' });
    const { url } = await listenOrExplain('rollgate local slack', Number(values.port ?? 3001), (port) => slack.listen(port));
    write(`Slack emulator page: ${url}`);
    write(`give rollgate: SLACK_API_URL=${slack.apiUrl} SLACK_BOT_TOKEN=xoxb-local-rollgate SLACK_SIGNING_SECRET=${process.env.SLACK_SIGNING_SECRET ? '(yours)' : secret}`);
    await waitForSignal();
    await slack.close();
    return;
  }
  throw new Error(`unknown local command "${what}"; ${LOCAL_USAGE}`);
}
