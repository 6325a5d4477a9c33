// Recursive-descent PromQL parser with Prometheus' precedence and static type checks.
import { AGGREGATIONS, FUNCTIONS, PARAM_AGGREGATIONS, type Expr, type Matcher, type MatchOp, type ValueType } from './ast.js';
import { PromQLParseError, tokenize, type Token } from './lexer.js';

// Binary operators by precedence, lowest first; '^' is right-associative.
const LEVELS: string[][] = [['or'], ['and', 'unless'], ['==', '!=', '<=', '<', '>=', '>'], ['+', '-'], ['*', '/', '%'], ['^']];
const COMPARISON = new Set(['==', '!=', '<=', '<', '>=', '>']);
const SET_OPS = new Set(['and', 'or', 'unless']);

export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'selector':
      return e.rangeMs !== undefined ? 'matrix' : 'vector';
    case 'call':
      return FUNCTIONS[e.func]!.returns;
    case 'aggregate':
      return 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

const describe = (t: ValueType) => (t === 'matrix' ? 'range vector' : t === 'vector' ? 'instant vector' : t);

export function parsePromQL(input: string): Expr {
  const tokens = tokenize(input);
  let i = 0;
  const peek = (): Token => tokens[i]!;
  const next = (): Token => tokens[i++]!;
  const fail = (t: Token, msg: string): never => {
    throw new PromQLParseError(t.pos, input, msg);
  };
  const unexpected = (t: Token, ctx = ''): never =>
    fail(t, t.kind === 'eof' ? `unexpected end of input${ctx}` : `unexpected ${t.kind === 'string' ? 'string' : `"${t.text}"`}${ctx}`);
  const isOp = (t: Token, text: string) => t.kind === 'op' && t.text === text;
  const expectOp = (text: string, ctx = '') => (isOp(peek(), text) ? next() : unexpected(peek(), ctx));
  const isKeyword = (t: Token, word: string) => t.kind === 'ident' && t.text.toLowerCase() === word;

  function labelList(): string[] {
    expectOp('(', ' in grouping opts, expected "("');
    const labels: string[] = [];
    while (!isOp(peek(), ')')) {
      const t = next();
      if (t.kind !== 'ident') unexpected(t, ' in grouping opts, expected label');
      labels.push(t.text);
      if (isOp(peek(), ',')) next();
      else if (!isOp(peek(), ')')) unexpected(peek(), ' in grouping opts, expected "," or ")"');
    }
    next();
    return labels;
  }

  function matchers(): Matcher[] {
    expectOp('{');
    const out: Matcher[] = [];
    while (!isOp(peek(), '}')) {
      const name = next();
      if (name.kind !== 'ident') unexpected(name, ' in label matching, expected label');
      const op = next();
      if (op.kind !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text)) unexpected(op, ' in label matching, expected label matching operator');
      const value = next();
      if (value.kind !== 'string') unexpected(value, ' in label matching, expected string');
      if (op.text === '=~' || op.text === '!~') {
        try {
          new RegExp(`^(?:${String(value.value)})$`);
        } catch {
          fail(value, `invalid regular expression ${JSON.stringify(value.value)}`);
        }
      }
      out.push({ name: name.text, op: op.text as MatchOp, value: String(value.value) });
      if (isOp(peek(), ',')) next();
      else if (!isOp(peek(), '}')) unexpected(peek(), ' in label matching, expected "," or "}"');
    }
    next();
    return out;
  }

  function selector(name: string | undefined, at: Token): Expr {
    const ms: Matcher[] = name ? [{ name: '__name__', op: '=', value: name }] : [];
    if (isOp(peek(), '{')) ms.push(...matchers());
    if (!ms.some((m) => !((m.op === '=~' && new RegExp(`^(?:${m.value})$`).test('')) || (m.op === '=' && m.value === '') || m.op === '!=' || m.op === '!~'))) {
      fail(at, 'vector selector must contain at least one non-empty matcher');
    }
    return { type: 'selector', matchers: ms };
  }

  function call(name: Token): Expr {
    const spec = FUNCTIONS[name.text];
    if (!spec) fail(name, `unknown function with name "${name.text}"`);
    expectOp('(');
    const args: Expr[] = [];
    while (!isOp(peek(), ')')) {
      args.push(expr(0));
      if (isOp(peek(), ',')) next();
      else if (!isOp(peek(), ')')) unexpected(peek(), ' in function call, expected "," or ")"');
    }
    next();
    const required = spec!.args.filter((a) => !a.endsWith('?')).length;
    if (args.length < required || args.length > spec!.args.length) {
      fail(name, `expected ${required} argument(s) in call to "${name.text}", got ${args.length}`);
    }
    args.forEach((a, k) => {
      const want = spec!.args[k]!.replace('?', '') as ValueType;
      if (typeOf(a) !== want) fail(name, `expected type ${describe(want)} in call to function "${name.text}", got ${describe(typeOf(a))}`);
    });
    return { type: 'call', func: name.text, args };
  }

  function aggregation(op: Token): Expr {
    let grouping: string[] = [];
    let without = false;
    let hasGrouping = false;
    const modifier = () => {
      if (isKeyword(peek(), 'by') || isKeyword(peek(), 'without')) {
        without = next().text.toLowerCase() === 'without';
        grouping = labelList();
        hasGrouping = true;
      }
    };
    modifier();
    expectOp('(', ' in aggregation, expected "("');
    let param: Expr | undefined;
    if (PARAM_AGGREGATIONS.has(op.text)) {
      param = expr(0);
      expectOp(',', ' in aggregation, expected ","');
    }
    const inner = expr(0);
    expectOp(')', ' in aggregation, expected ")"');
    if (!hasGrouping) modifier();
    if (typeOf(inner) !== 'vector') fail(op, `expected type instant vector in aggregation expression, got ${describe(typeOf(inner))}`);
    return { type: 'aggregate', op: op.text, ...(param ? { param } : {}), grouping, without, expr: inner };
  }

  function primary(): Expr {
    const t = next();
    if (t.kind === 'number') return { type: 'number', value: t.value as number };
    if (t.kind === 'duration') return { type: 'number', value: (t.value as number) / 1000 };
    if (t.kind === 'string') return { type: 'string', value: String(t.value) };
    if (isOp(t, '(')) {
      const inner = expr(0);
      expectOp(')', ', expected ")"');
      return { type: 'paren', expr: inner };
    }
    if (isOp(t, '{')) {
      i--;
      return selector(undefined, t);
    }
    if (isOp(t, '-') || isOp(t, '+')) {
      const inner = postfix(primary());
      return { type: 'unary', op: t.text as '-' | '+', expr: inner };
    }
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      if (lower === 'inf' || lower === 'nan') return { type: 'number', value: lower === 'inf' ? Infinity : NaN };
      if (AGGREGATIONS.has(t.text) && (isOp(peek(), '(') || isKeyword(peek(), 'by') || isKeyword(peek(), 'without'))) return aggregation(t);
      if (isOp(peek(), '(')) return call(t);
      return selector(t.text, t);
    }
    return unexpected(t);
  }

  function postfix(e: Expr): Expr {
    let out = e;
    for (;;) {
      if (isOp(peek(), '[')) {
        const open = next();
        if (out.type !== 'selector' || out.rangeMs !== undefined) fail(open, 'ranges only allowed for vector selectors');
        const d = next();
        if (d.kind !== 'duration') unexpected(d, ' in range, expected duration');
        if (isOp(peek(), ':')) fail(peek(), 'subqueries are not supported by the simulated Prometheus');
        expectOp(']', ' in range, expected "]"');
        out = { ...(out as Extract<Expr, { type: 'selector' }>), rangeMs: d.value as number };
      } else if (isKeyword(peek(), 'offset')) {
        const kw = next();
        if (out.type !== 'selector') fail(kw, 'offset modifier must be preceded by an instant vector selector or range vector selector');
        const d = next();
        if (d.kind !== 'duration') unexpected(d, ' in offset, expected duration');
        out = { ...(out as Extract<Expr, { type: 'selector' }>), offsetMs: d.value as number };
      } else return out;
    }
  }

  function binaryOp(level: number): Token | undefined {
    const t = peek();
    const text = t.kind === 'ident' ? t.text.toLowerCase() : t.kind === 'op' ? t.text : '';
    return LEVELS[level]!.includes(text) ? t : undefined;
  }

  function expr(level: number): Expr {
    if (level >= LEVELS.length) return postfix(primary());
    let lhs = expr(level + 1);
    for (let opTok = binaryOp(level); opTok; opTok = binaryOp(level)) {
      next();
      const op = opTok.kind === 'ident' ? opTok.text.toLowerCase() : opTok.text;
      let bool = false;
      if (isKeyword(peek(), 'bool')) {
        next();
        if (!COMPARISON.has(op)) fail(opTok, 'bool modifier can only be used on comparison operators');
        bool = true;
      }
      let matching: { on: boolean; labels: string[] } | undefined;
      if (isKeyword(peek(), 'on') || isKeyword(peek(), 'ignoring')) {
        const on = next().text.toLowerCase() === 'on';
        matching = { on, labels: labelList() };
        if (isKeyword(peek(), 'group_left') || isKeyword(peek(), 'group_right')) fail(peek(), 'group_left/group_right are not supported by the simulated Prometheus');
      }
      // '^' is right-associative: parse its right side at the same level.
      const rhs = op === '^' ? expr(level) : expr(level + 1);
      const lt = typeOf(lhs);
      const rt = typeOf(rhs);
      if (lt === 'string' || rt === 'string' || lt === 'matrix' || rt === 'matrix') fail(opTok, `binary expression must contain only scalar and instant vector types`);
      if (COMPARISON.has(op) && lt === 'scalar' && rt === 'scalar' && !bool) fail(opTok, 'comparisons between scalars must use BOOL modifier');
      if (SET_OPS.has(op) && (lt === 'scalar' || rt === 'scalar')) fail(opTok, `set operator "${op}" not allowed in binary scalar expression`);
      lhs = { type: 'binary', op, lhs, rhs, bool, ...(matching ? { matching } : {}) };
      if (op === '^') break;
    }
    return lhs;
  }

  if (peek().kind === 'eof') fail(peek(), 'no expression found in input');
  const root = expr(0);
  if (peek().kind !== 'eof') unexpected(peek());
  return root;
}
