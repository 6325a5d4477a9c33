// Structural-schema handling of custom resources as kube-apiserver does it: prune unknown
// fields, apply schema defaults, then validate (required, type, enum, bounds, pattern), turning
// each failure into the field error apiextensions-apiserver reports.
import { fieldErrors, type FieldError } from '../kube/status.js';
import type { SchemaProps } from './crd-types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const ROOT_META = new Set(['apiVersion', 'kind', 'metadata']);

function preserves(s: SchemaProps): boolean {
  return s['x-kubernetes-preserve-unknown-fields'] === true;
}

/** Removes fields the schema does not declare (structural pruning); mutates `value`. */
export function prune(value: unknown, schema: SchemaProps, root = false): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const v of value) prune(v, schema.items);
    return;
  }
  if (!isObj(value)) return;
  const props = schema.properties;
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const key of Object.keys(value)) {
    if (root && ROOT_META.has(key)) continue;
    const child = props?.[key] ?? additional;
    if (child) prune(value[key], child);
    else if (!preserves(schema) && schema.additionalProperties !== true) delete value[key];
  }
}

/** Fills `default`s of missing properties, recursively; mutates `value`. */
export function applyDefaults(value: unknown, schema: SchemaProps): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const v of value) applyDefaults(v, schema.items);
    return;
  }
  if (!isObj(value)) return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && child.default !== undefined) value[key] = structuredClone(child.default);
    if (value[key] !== undefined) applyDefaults(value[key], child);
  }
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  if (additional) {
    for (const key of Object.keys(value)) if (!schema.properties?.[key]) applyDefaults(value[key], additional);
  }
}

function goTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, s: SchemaProps): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case undefined:
      return true;
    case 'object':
      return isObj(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
  }
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function validateAgainstSchema(value: unknown, s: SchemaProps, path: string, errs: FieldError[]): void {
  if (value === null && s.nullable) return;
  if (!typeMatches(value, s)) {
    const want = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type;
    errs.push(fieldErrors.typeInvalid(path, value, `${path} in body must be of type ${want}: "${goTypeName(value)}"`));
    return;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push(fieldErrors.notSupported(path, value, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof value === 'string') {
    if (s.maxLength !== undefined && value.length > s.maxLength) errs.push(fieldErrors.tooLong(path, value, s.maxLength));
    if (s.minLength !== undefined && value.length < s.minLength) {
      errs.push(fieldErrors.invalid(path, value, `${path} in body should be at least ${s.minLength} chars long`));
    }
    if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) {
      errs.push(fieldErrors.invalid(path, value, `${path} in body should match '${s.pattern}'`));
    }
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) {
      errs.push(fieldErrors.invalid(path, value, `${path} in body should be greater than or equal to ${s.minimum}`));
    }
    if (s.maximum !== undefined && value > s.maximum) {
      errs.push(fieldErrors.invalid(path, value, `${path} in body should be less than or equal to ${s.maximum}`));
    }
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) {
      errs.push(fieldErrors.invalid(path, value.length, `${path} in body should have at least ${s.minItems} items`));
    }
    if (s.maxItems !== undefined && value.length > s.maxItems) {
      errs.push({ type: 'FieldValueTooLong', field: path, body: `Too many: ${value.length}: must have at most ${s.maxItems} items` });
    }
    if (s.items) value.forEach((v, i) => validateAgainstSchema(v, s.items!, child(path, i), errs));
  }
  if (isObj(value)) {
    for (const r of s.required ?? []) if (value[r] === undefined) errs.push(fieldErrors.required(child(path, r)));
    for (const [k, v] of Object.entries(value)) {
      if (path === '' && ROOT_META.has(k)) continue;
      const ps = s.properties?.[k];
      if (ps) validateAgainstSchema(v, ps, child(path, k), errs);
      else if (typeof s.additionalProperties === 'object') validateAgainstSchema(v, s.additionalProperties, `${path}[${k}]`, errs);
    }
  }
}

/** Prune, default, mutate and validate a custom resource body; returns the field errors. */
export function admitCustomResource(obj: Obj, schema: SchemaProps, mutate?: (obj: Obj) => void): FieldError[] {
  prune(obj, schema, true);
  applyDefaults(obj, schema);
  // Mutating admission (Karmada's webhook) runs after defaulting, before schema validation.
  mutate?.(obj);
  const errs: FieldError[] = [];
  validateAgainstSchema(obj, schema, '', errs);
  return errs;
}
