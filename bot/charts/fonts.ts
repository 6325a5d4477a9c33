// The chart's typeface, shipped in an npm package: a slim container image has no system
// fonts at all, and Skia then draws no text. Registration is process-wide in Skia, so it is
// done once, on first use.
import { createRequire } from 'node:module';
import { skia } from './skia.js';

export const CHART_FONT = 'Rollgate Inter';

// Latin-1 covers what charts show: DNS-label cluster names, metric names, digits, units (µ, °).
const FILES = ['latin-400-normal', 'latin-600-normal'];
const require = createRequire(import.meta.url);
let registered = false;

export function ensureChartFont(): void {
  if (registered) return;
  for (const file of FILES) {
    const path = require.resolve(`@fontsource/inter/files/inter-${file}.woff2`);
    if (!skia().GlobalFonts.registerFromPath(path, CHART_FONT)) {
      throw new Error(`could not load the chart font ${path}; reinstall dependencies (npm ci)`);
    }
  }
  registered = true;
}

// The font's subsets have no arrows; a missing glyph would draw as a box.
const REPLACEMENTS: Record<string, string> = { '→': '->', '←': '<-', '⇒': '=>' };

export function drawable(text: string): string {
  return text.replace(/[→←⇒]/g, (ch) => REPLACEMENTS[ch] ?? ch);
}

export const font = (px: number, weight: 400 | 600 = 400) => `${weight} ${px}px "${CHART_FONT}"`;
