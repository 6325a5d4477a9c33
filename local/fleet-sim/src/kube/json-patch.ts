// RFC 6902 JSON Patch over plain JSON values, with the error texts of evanphx/json-patch
// (the library kube-apiserver uses), so a failing `test` reads as it does against a real server.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class PatchDecodeError extends Error {}
export class PatchApplyError extends Error {}

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

export function decodeJsonPatch(raw: unknown): PatchOperation[] {
  if (!Array.isArray(raw)) throw new PatchDecodeError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return raw.map((op: unknown) => {
    if (!op || typeof op !== 'object') throw new PatchDecodeError('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    const o = op as Record<string, unknown>;
    if (typeof o['op'] !== 'string' || !OPS.has(o['op'])) throw new PatchApplyError(`Unexpected kind: ${String(o['op'])}`);
    if (typeof o['path'] !== 'string') throw new PatchApplyError('operation missing path field: missing value');
    return o as unknown as PatchOperation;
  });
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchApplyError(`invalid JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayIndex(token: string, length: number, forAdd: boolean): number | undefined {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= (forAdd ? length : length - 1) ? i : undefined;
}

/** Returns the container that holds the last token, or undefined when the path does not exist. */
function parentOf(doc: Json, tokens: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length, false);
      cur = i === undefined ? undefined : cur[i];
    } else if (isObject(cur)) {
      cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function getAt(doc: Json, pointer: string): Json | undefined {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false);
    return i === undefined ? undefined : parent[i];
  }
  if (isObject(parent)) return Object.prototype.hasOwnProperty.call(parent, last) ? parent[last] : undefined;
  return undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  }
  return v;
}

function add(doc: Json, path: string, value: Json, verb = 'add'): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return clone(value);
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, true);
    if (i === undefined) throw new PatchApplyError(`${verb} operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(i, 0, clone(value));
  } else if (isObject(parent)) {
    parent[last] = clone(value);
  } else {
    throw new PatchApplyError(`${verb} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return doc;
}

function remove(doc: Json, path: string, verb = 'remove'): Json {
  const tokens = parsePointer(path);
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false);
    if (i !== undefined) {
      parent.splice(i, 1);
      return doc;
    }
  } else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    delete parent[last];
    return doc;
  }
  throw new PatchApplyError(`${verb} operation does not apply: doc is missing path: "${path}": missing value`);
}

export function applyJsonPatch(input: Json, ops: PatchOperation[]): Json {
  let doc = clone(input);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, op.value ?? null);
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        if (getAt(doc, op.path) === undefined) {
          throw new PatchApplyError(`replace operation does not apply: doc is missing key: ${op.path}: missing value`);
        }
        if (op.path === '') doc = clone(op.value ?? null);
        else doc = add(remove(doc, op.path), op.path, op.value ?? null);
        break;
      case 'move':
      case 'copy': {
        const from = op.from ?? '';
        const value = getAt(doc, from);
        if (value === undefined) {
          throw new PatchApplyError(`${op.op} operation does not apply: doc is missing from path: ${from}: missing value`);
        }
        const copied = clone(value);
        if (op.op === 'move') doc = remove(doc, from, 'move');
        doc = add(doc, op.path, copied, op.op);
        break;
      }
      case 'test': {
        const actual = getAt(doc, op.path);
        const expected = op.value === undefined ? null : op.value;
        if (actual === undefined ? expected !== null : !deepEqual(actual, expected)) {
          throw new PatchApplyError(`testing value ${op.path} failed: test failed`);
        }
        break;
      }
    }
  }
  return doc;
}
