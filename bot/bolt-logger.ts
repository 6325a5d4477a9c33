// Bolt and the Web API client log through pino, so one LOG_LEVEL governs everything.
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

export function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  // Bolt and the Web API client call debug() on every request and call; the words are only
  // joined when the level is on, so a quiet log costs nothing per request.
  const at = (name: Level) => (...msg: unknown[]) => {
    if (log.isLevelEnabled(name)) log[name](msg.map(String).join(' '));
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
