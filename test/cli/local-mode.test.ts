// Local mode is a package of its own that imports nothing of the product: the product hands it
// what it needs (cli/local-mode.ts). These check that the two sides agree: the host fits the
// shape the demo expects, and the demo's config is one rollgate accepts.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { localModeHost } from '../../cli/local-mode.js';
import { validateConfig } from '../../rollout/config.js';
import type { Product } from '@rollgate/demo';
import { demoConfig } from '../../local/demo/src/demo-config.js';
import { withDemoWebhooks } from '../../local/demo/src/demo-hooks.js';

describe('local mode and the product', () => {
  it('the product host is what the demo expects', () => {
    expectTypeOf(localModeHost).toExtend<Product>();
  });

  it.each(['interactive', 'script'] as const)('the demo config (%s) is valid, webhooks included', (pace) => {
    const config = withDemoWebhooks(demoConfig((c: string) => `https://127.0.0.1:1/prometheus/${c}`, pace), 'http://127.0.0.1:2');
    const parsed = validateConfig(config);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    const hooks = parsed.ok ? parsed.config.apps.find((a) => a.name === 'checkout')?.analysis.webhooks : undefined;
    expect(Array.isArray(hooks) ? hooks.map((h) => h.name) : hooks).toEqual(['load-test', 'manual-rollback']);
  });

  it('a bad config is refused with every problem named, nothing started', async () => {
    await expect(localModeHost.start({ config: { fleet: {}, apps: [] }, env: { SLACK_BOT_TOKEN: 'xoxb-x', SLACK_SIGNING_SECRET: 'secret-123', PORT: '0' }, kubeconfig: '' })).rejects.toThrow(/config is invalid: fleet/);
  });
});
