// PromQL tokens (a subset of prometheus/promql/parser/lex.go), with positions for error texts.

export type TokenKind = 'number' | 'duration' | 'string' | 'ident' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value of a string, or the numeric value of a number/duration (ms for durations). */
  value?: string | number;
  pos: number;
}

export class PromQLParseError extends Error {
  constructor(
    readonly pos: number,
    input: string,
    message: string,
  ) {
    const before = input.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n');
    super(`${line}:${col}: parse error: ${message}`);
  }
}

const OPS = ['==', '!=', '<=', '>=', '=~', '!~', '+', '-', '*', '/', '%', '^', '<', '>', '=', ',', '(', ')', '{', '}', '[', ']', ':'];
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

export function parseDuration(text: string): number | undefined {
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

function readString(input: string, start: number): { value: string; end: number } {
  const quote = input[start]!;
  let i = start + 1;
  let out = '';
  while (i < input.length && input[i] !== quote) {
    if (input[i] === '\\' && quote !== '`') {
      const next = input[i + 1];
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
      if (next === undefined || map[next] === undefined) {
        if (next === '.' || next === '-' || next === 'd' || next === 'w' || next === 's') {
          throw new PromQLParseError(i, input, `unknown escape sequence U+005C '\\' followed by '${next}'`);
        }
        throw new PromQLParseError(i, input, 'unterminated quoted string');
      }
      out += map[next];
      i += 2;
      continue;
    }
    out += input[i];
    i++;
  }
  if (i >= input.length) throw new PromQLParseError(start, input, 'unterminated quoted string');
  return { value: out, end: i + 1 };
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const s = readString(input, i);
      tokens.push({ kind: 'string', text: input.slice(i, s.end), value: s.value, pos: i });
      i = s.end;
      continue;
    }
    const num = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(input.slice(i));
    if (num) {
      const dur = /^\d+(ms|s|m|h|d|w|y)(\d+(ms|s|m|h|d|w|y))*/.exec(input.slice(i));
      if (dur && dur[0].length >= num[0].length && !/[a-zA-Z0-9_]/.test(input[i + dur[0].length] ?? '')) {
        tokens.push({ kind: 'duration', text: dur[0], value: parseDuration(dur[0])!, pos: i });
        i += dur[0].length;
        continue;
      }
      tokens.push({ kind: 'number', text: num[0], value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(input.slice(i));
    if (id) {
      tokens.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => input.startsWith(o, i));
    if (!op) throw new PromQLParseError(i, input, `unexpected character: '${c}'`);
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: input.length });
  return tokens;
}
