// Secrets never reach an output: every line rollgate writes (logs, the one-line fatal error,
// start-up problems) passes through this, whatever the code path that produced it.

const REPLACEMENT = '[redacted]';
/** Slack tokens by shape, whoever's they are: bot, user, app-level, refresh and config tokens. */
const TOKEN_SHAPES = /\b(?:xox[abeoprs]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+/g;

/** The password in a redis:// URL, if it has one. */
export function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

/** A function that blanks out each of `secrets` (exact values) and anything shaped like a Slack token. */
export function secretRedactor(secrets: (string | undefined)[]): (text: string) => string {
  // Very short values would blank out ordinary words; the env schema refuses them anyway.
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join(REPLACEMENT);
    return out.replace(TOKEN_SHAPES, REPLACEMENT);
  };
}
