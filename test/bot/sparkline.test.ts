import { describe, expect, it } from 'vitest';
import { sparkline } from '../../bot/blocks/kit.js';

describe('sparkline', () => {
  it('draws a real trend from low to high', () => {
    expect(sparkline([99.9, 97, 92, 85])).toBe('█▇▄▁');
  });
  it('draws noise flat rather than as spikes', () => {
    expect(sparkline([99.91, 99.93, 99.92])).toBe('▄▄▄');
  });
  it('leaves a gap for an interval without data', () => {
    expect(sparkline([120, null, 480])).toBe('▁ █');
  });
});
