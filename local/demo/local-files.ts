// Finds files shipped in the package (local/tls/...) from source (tests) and from dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageFile(relative: string, from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${relative} in the rollgate package`);
  }
}
