// Bolt and the Web API client log through pino, so one LOG_LEVEL governs everything.
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from 'pino';

export function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => log.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => log.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => log.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => log.error(msg.map(String).join(' ')),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
