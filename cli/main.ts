// rollgate: serve | worker | check-config [FILE] | demo [--script happy|bad] | local fleet | local slack
import { pino } from 'pino';
import { loadConfigFile } from './config-file.js';
import { readEnv } from './env.js';
import { startRuntime } from './runtime.js';
import { exitOnSignals } from './shutdown.js';

const USAGE = `usage: rollgate <command>
  serve [--no-workers]        Slack receiver, HTTP endpoints and queue workers (default)
  worker                      queue workers only
  check-config [FILE]         validate a config file (default $ROLLGATE_CONFIG or ./rollgate.yaml)
  demo [--script happy|bad]   local mode: Slack emulator, simulated fleet, the bot
  local fleet [--port N] [--kubeconfig FILE]
  local slack [--port N]`;

function fail(lines: string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

async function serve(roles: { bot: boolean; workers: boolean }): Promise<void> {
  const read = readEnv(process.env, { slack: true, receiver: roles.bot });
  if (!read.ok) fail(read.problems);
  const { env } = read;
  const loaded = await loadConfigFile(env.ROLLGATE_CONFIG);
  if (!loaded.ok) fail(loaded.problems.map((p) => `config ${p}`));
  const log = pino({ level: env.LOG_LEVEL, redact: ['token', '*.token', 'headers.authorization'] });
  const runtime = await startRuntime({ env, config: loaded.config, log, roles }).catch((error: unknown) => fail([error instanceof Error ? error.message : String(error)]));
  log.info({ port: runtime.port, roles }, 'rollgate started');
  exitOnSignals({ stop: () => runtime.stop(), log, exit: (code) => process.exit(code) });
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
  switch (command) {
    case 'serve':
      // --no-workers: the Slack receiver alone, for deployments that scale workers separately.
      return serve({ bot: true, workers: !rest.includes('--no-workers') });
    case 'worker':
      return serve({ bot: false, workers: true });
    case 'check-config':
      return checkConfig(rest[0]);
    case 'demo':
      return (await import('../local/demo/demo-command.js')).demoCommand(rest);
    case 'local':
      return (await import('../local/demo/local-command.js')).localCommand(rest);
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
  fail(usage ? [(error as Error).message, USAGE] : [error instanceof Error ? (error.stack ?? error.message) : String(error)]);
});
