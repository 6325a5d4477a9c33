// Every Redis key rollgate owns, under one prefix. BullMQ queues share the prefix.
export interface Keys {
  prefix: string;
  rollout(id: string): string;
  outbox(id: string): string;
  messages(id: string): string;
  pending(id: string): string;
  audit(id: string): string;
  exec(id: string): string;
  notifyLock(id: string): string;
  appLock(app: string): string;
  appSeq(app: string): string;
  active: string;
  /** Due analysis ticks: a sorted set of tick ids scored by due time (jobs/tick-set.ts). */
  ticks: string;
}

export function redisKeys(prefix: string): Keys {
  const k = (...parts: string[]) => [prefix, ...parts].join(':');
  return {
    prefix,
    rollout: (id) => k('rollout', id),
    outbox: (id) => k('rollout', id, 'outbox'),
    messages: (id) => k('rollout', id, 'messages'),
    pending: (id) => k('rollout', id, 'pending'),
    audit: (id) => k('rollout', id, 'audit'),
    exec: (id) => k('rollout', id, 'exec'),
    notifyLock: (id) => k('rollout', id, 'notify-lock'),
    appLock: (app) => k('app', app, 'active'),
    appSeq: (app) => k('app', app, 'seq'),
    active: k('active'),
    ticks: k('ticks'),
  };
}
