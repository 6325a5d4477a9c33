// What local mode needs of rollgate, handed over by the product when it loads local mode
// (cli/local-mode.ts, LocalModeHost): local mode imports nothing of the product.
// test/cli/local-mode.test.ts checks that the product's host fits this shape.

export interface AuditEntry {
  at: number;
  who: string;
  what: string;
  outcome: string;
  cluster?: string;
  detail?: string;
}

export interface Product {
  /** Starts rollgate (receiver and workers): config as YAML would give it, environment as strings, a kubeconfig's text. */
  start(options: { config: unknown; env: Record<string, string>; kubeconfig: string; prometheusCa?: string }): Promise<{ port: number; stop(): Promise<void> }>;
  /** What rollgate recorded of every rollout under `prefix`. */
  audits(redisUrl: string, prefix: string): Promise<{ rollout: string; entries: AuditEntry[] }[]>;
}
