// Formats values the way Go's %#v / %q print them inside apimachinery field errors.

/** Text already rendered in Go syntax (e.g. a typed struct literal). */
export class GoLiteral {
  constructor(readonly text: string) {}
}

function quote(s: string): string {
  return JSON.stringify(s);
}

export function formatGoValue(value: unknown): string {
  if (value instanceof GoLiteral) return value.text;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return `[]string{${value.map((v) => quote(v as string)).join(', ')}}`;
    return `[]interface {}{${value.map(formatGoValue).join(', ')}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.every(([, v]) => typeof v === 'string')) {
    return `map[string]string{${entries.map(([k, v]) => `${quote(k)}:${quote(v as string)}`).join(', ')}}`;
  }
  return `map[string]interface {}{${entries.map(([k, v]) => `${quote(k)}:${formatGoValue(v)}`).join(', ')}}`;
}
