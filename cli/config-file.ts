// Reads and validates rollgate.yaml: YAML syntax errors and schema problems alike come back
// as `path: message` lines.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { validateConfig, type Config } from '../rollout/config.js';

export type LoadedConfig = { ok: true; config: Config } | { ok: false; problems: string[] };

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problems: [`${file}: ${code === 'ENOENT' ? 'no such file (set ROLLGATE_CONFIG or pass the path)' : String(error)}`] };
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) return { ok: false, problems: document.errors.map((e) => `${file}: ${e.message.split('\n')[0]}`) };
  const parsed = validateConfig(document.toJS());
  return parsed.ok ? parsed : { ok: false, problems: parsed.problems.map((p) => `${p.path}: ${p.message}`) };
}
