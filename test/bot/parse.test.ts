import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../bot/commands/parse.js';
import { testConfig } from '../fixtures/config.js';

const config = testConfig();
const parse = (text: string) => parseCommand(text, config);

describe('/rollout command parsing', () => {
  it.each([
    ['start http-probe-app v2', { kind: 'start', app: 'http-probe-app', version: 'v2' }],
    ['  start   http-probe-app  v2.1.0-rc1  ', { kind: 'start', app: 'http-probe-app', version: 'v2.1.0-rc1' }],
    ['start http-probe-app v2 --clusters member1,member3 --strategy canary-first', { kind: 'start', app: 'http-probe-app', version: 'v2', clusters: ['member1', 'member3'], strategy: 'canary-first' }],
    ['start http-probe-app v2 --strategy=per-cluster --auto', { kind: 'start', app: 'http-probe-app', version: 'v2', strategy: 'per-cluster', auto: true }],
    ['start http-probe-app v2 --clusters=member2 --supersede', { kind: 'start', app: 'http-probe-app', version: 'v2', clusters: ['member2'], supersede: true }],
    ['canary http-probe-app-3 member1,member2 member3', { kind: 'operate', op: 'canary', id: 'http-probe-app-3', clusters: ['member1', 'member2', 'member3'] }],
    ['status', { kind: 'status' }],
    ['status http-probe-app-3', { kind: 'status', target: 'http-probe-app-3' }],
    ['list', { kind: 'list' }],
    ['approve http-probe-app-3 member2', { kind: 'approve', id: 'http-probe-app-3', cluster: 'member2' }],
    ['rollback http-probe-app-3', { kind: 'rollback', id: 'http-probe-app-3' }],
    ['', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
  ])('%j', (text, command) => {
    expect(parse(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['start', 'Say which app and which version'],
    ['start http-probe-ap v2', 'Did you mean `http-probe-app`?'],
    ['start nope v2', 'Unknown app "nope"'],
    ['start http-probe-app v2 --clusters member4', 'Did you mean `member1`?'],
    ['start http-probe-app v2 --clusters member1,member1', 'lists a cluster twice'],
    ['start http-probe-app v2 --strategy yolo', 'strategy is per-cluster or canary-first'],
    ['start http-probe-app v2 --colour red', 'Unknown flag --colour'],
    ['start http-probe-app v2 --clusters', '--clusters needs a value'],
    ['start http-probe-app ../../etc', 'is not a version'],
    ['start http-probe-app v2 extra', 'Unexpected "extra"'],
    ['strat http-probe-app v2', 'Did you mean `start`?'],
    ['approve http-probe-app-3', 'Say which cluster'],
    ['approve not an id', 'is not a rollout id'],
    ['x'.repeat(5000), 'characters long'],
    ['start http-probe-app v2 --supersede=no', '--supersede takes no value'],
    ['start http-probe-app v2 --auto=yes', '--auto takes no value'],
    ['start http-probe-app v2 --auto=false', '--auto takes no value'],
    ['start http-probe-app v2 --auto --auto', '--auto is given twice'],
    ['start http-probe-app v2 --clusters member1 --clusters member2', '--clusters is given twice'],
    ['start http-probe-app v2 --clusters member1,,member2', '"member1,,member2" has an empty item'],
    ['start http-probe-app v2 --clusters member1,', 'has an empty item'],
    ['start http-probe-app v2 --clusters=', '--clusters needs a value'],
    ['start http-probe-app v2 --clusters ,', 'has an empty item'],
    ['canary http-probe-app-3 member1,,member2', 'has an empty item'],
    ['promote http-probe-app-3 ,', 'has an empty item'],
  ])('%j is refused with a clear reason and the usage', (text, reason) => {
    const parsed = parse(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain(reason);
    expect(parsed.error).toContain('Usage:');
  });

  it('never throws on random or adversarial text', () => {
    const alphabet = ['start', 'http-probe-app', '--clusters', '--strategy', '=', ',', ' ', '\u0000', '\u202e', '🚀', 'ß', '--', '"', '<@U1>', '\n', 'v2', '%s', '${x}', '__proto__', 'constructor'];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(random() * 12);
      const text = Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join(random() > 0.5 ? ' ' : '');
      const parsed = parse(text);
      expect(typeof parsed.ok).toBe('boolean');
    }
  });
});
