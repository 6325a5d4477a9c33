// @napi-rs/canvas is a native Skia build, about 24 MiB resident once loaded, and it is needed
// only to draw the end-of-rollout chart: it is loaded on the first chart, not at start (a
// process that never finishes a rollout never maps it). Loaded with require, which is
// synchronous, so drawing stays a plain function.
import { createRequire } from 'node:module';

type Skia = typeof import('@napi-rs/canvas');

let loaded: Skia | undefined;

export function skia(): Skia {
  loaded ??= createRequire(import.meta.url)('@napi-rs/canvas') as Skia;
  return loaded;
}
