// rollgate: serve | worker | check-config [FILE] | demo [--script happy|bad] | local fleet | local slack
import { pino } from 'pino';
import { loadConfigFile } from './config-file.js';
import { readEnv } from './env.js';
import { describeError, installFatalHandlers } from './fatal.js';
import { secretRedactor, urlPassword } from './redact.js';
import { loadLocalMode, localModeHost } from './local-mode.js';
import { startRuntime } from './runtime.js';
import { exitOnSignals, SHUTDOWN_DEADLINE_MS } from './shutdown.js';

const USAGE = `usage: rollgate <command>
  serve [--no-workers]        Slack receiver, HTTP endpoints and queue workers (default)
  worker                      queue workers only
  check-config [FILE]         validate a config file (default $ROLLGATE_CONFIG or ./rollgate.yaml)
  demo [--script happy|bad] [--port N]   local mode: Slack emulator, simulated fleet, the bot
  local fleet [--port N] [--kubeconfig FILE]
  local slack [--port N] [--bot-url URL]
rollgate <command> --help prints that command's help.`;

/** `rollgate COMMAND --help` for the product's commands; demo and local print their own. */
const COMMAND_HELP: Record<string, string> = {
  serve: `usage: rollgate serve [--no-workers]
  The Slack receiver (POST /slack/events, or Socket Mode with SLACK_APP_TOKEN), /healthz, /readyz,
  /metrics on PORT, and the queue workers. --no-workers: the receiver alone.
  Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET or SLACK_APP_TOKEN, REDIS_URL, ROLLGATE_CONFIG, KUBECONFIG (README, "Running it for real").`,
  worker: `usage: rollgate worker
  Queue workers only (no HTTP); run any number against one Redis. Same environment as serve, no signing secret.`,
  'check-config': `usage: rollgate check-config [FILE]
  Validates FILE (default $ROLLGATE_CONFIG or ./rollgate.yaml); prints every problem with its path, exit 1 if any.`,
};

// Read before anything else, so that every path out of the process, even a bad environment, is redacted.
const redact = secretRedactor([process.env.SLACK_BOT_TOKEN, process.env.SLACK_SIGNING_SECRET, process.env.SLACK_APP_TOKEN, urlPassword(process.env.REDIS_URL)]);
installFatalHandlers({ redact });

function fail(lines: string[], code = 1): never {
  for (const line of lines) process.stderr.write(`${redact(line)}\n`);
  process.exit(code);
}

async function serve(roles: { bot: boolean; workers: boolean }): Promise<void> {
  const read = readEnv(process.env, { slack: true, receiver: roles.bot });
  if (!read.ok) fail(read.problems);
  const { env } = read;
  const loaded = await loadConfigFile(env.ROLLGATE_CONFIG);
  if (!loaded.ok) fail(loaded.problems.map((p) => `config ${p}`));
  const log = pino({ level: env.LOG_LEVEL, redact: ['token', '*.token', 'headers.authorization'], hooks: { streamWrite: redact } });
  let stop: (code: number) => void = (code) => process.exit(code);
  const onFatal = (line: string) => {
    process.stderr.write(`${redact(line)}\n`);
    stop(1);
  };
  const runtime = await startRuntime({ env, config: loaded.config, log, roles, onFatal }).catch((error: unknown) => fail([describeError(error)]));
  log.info({ port: runtime.port, roles }, 'rollgate started');
  // A slow API must not outlast the platform's grace period (Kubernetes: 30 s by default).
  const shutdown = exitOnSignals({ stop: () => runtime.stop(), log, exit: (code) => process.exit(code), deadlineMs: env.ROLLGATE_SHUTDOWN_MS ?? SHUTDOWN_DEADLINE_MS });
  stop = (code) => shutdown.begin(code);
}

async function checkConfig(file: string | undefined): Promise<void> {
  const path = file ?? process.env.ROLLGATE_CONFIG ?? './rollgate.yaml';
  const loaded = await loadConfigFile(path, { kubeconfig: { env: process.env.KUBECONFIG, home: process.env.HOME } });
  if (!loaded.ok) fail(loaded.problems);
  const { config } = loaded;
  process.stdout.write(`${path}: ok (${config.fleet.mode} mode, ${config.fleet.clusters.length} clusters, apps: ${config.apps.map((a) => a.name).join(', ')})\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  const help = COMMAND_HELP[command];
  if (help && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${help}\n`);
    return;
  }
  switch (command) {
    case 'serve':
      // --no-workers: the Slack receiver alone, for deployments that scale workers separately.
      return serve({ bot: true, workers: !rest.includes('--no-workers') });
    case 'worker':
      return serve({ bot: false, workers: true });
    case 'check-config':
      return checkConfig(rest[0]);
    case 'demo':
      return (await loadLocalMode('demoCommand', fail))(rest, localModeHost);
    case 'local':
      return (await loadLocalMode('localCommand', fail))(rest, localModeHost);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail([`unknown command "${command}"`, USAGE]);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
  fail(usage ? [(error as Error).message, USAGE] : [describeError(error)]);
});
