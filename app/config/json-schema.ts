/**
 * The JSON Schema (draft 2020-12) of a config file and an example file, both
 * generated from FIELDS so that they cannot say anything the loader does not
 * check. `qgtm config schema` / `qgtm config example` print them; the copies
 * committed beside this file (qgtm.schema.json, qgtm.example.json) are
 * compared with the generator by tests/unit/app/config/json-schema.test.ts.
 *
 * What a JSON Schema cannot say is left to the loader: rules across fields
 * (ladder rungs rising), the redis/alpaca requirements of a mode, and the
 * did-you-mean for an unknown key.
 */
import { CATALOG } from '../../actors/strategy/registry.js';
import { paramBounds, type ParamBound } from '../../actors/strategy/param-bounds.js';
import { DEFAULT_CONFIG, FIELDS, type FieldKind, type FieldSpec } from './schema.js';

type Json = Record<string, unknown>;

function paramSchema(b: ParamBound): Json {
  switch (b.kind) {
    case 'integer':
      return { type: 'integer', minimum: b.min, ...(b.max !== undefined ? { maximum: b.max } : {}) };
    case 'number':
      return { type: 'number', exclusiveMinimum: b.exclusiveMin, ...(b.max !== undefined ? { maximum: b.max } : {}) };
    case 'list':
      return { type: 'array', items: { type: 'number' }, minItems: b.length, maxItems: b.length };
    case 'boolean':
      return { type: 'boolean' };
    case 'string':
      return { type: 'string' };
  }
}

function kindSchema(t: FieldKind): Json {
  switch (t.kind) {
    case 'string':
      return { type: 'string', minLength: t.minLength ?? 1, ...(t.pattern ? { pattern: t.pattern.source } : {}) };
    case 'int':
      return { type: 'integer', minimum: t.min, maximum: t.max };
    case 'number':
      return {
        type: 'number',
        ...(t.greaterThan !== undefined ? { exclusiveMinimum: t.greaterThan } : {}),
        ...(t.min !== undefined ? { minimum: t.min } : {}),
        ...(t.max !== undefined ? { maximum: t.max } : {}),
      };
    case 'enum':
      return { enum: [...t.values] };
    case 'boolean':
      return { type: 'boolean' };
    case 'url':
      return { type: 'string', format: 'uri', pattern: `^(${t.schemes.map((s) => s.replace(/:$/, '')).join('|')})://` };
    case 'ids':
      return { type: 'array', items: { enum: [...t.values] }, uniqueItems: true };
    case 'params':
      return {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(
          CATALOG.map((def) => [def.id, { type: 'object', additionalProperties: false, properties: Object.fromEntries(Object.entries(paramBounds(def)).map(([k, b]) => [k, paramSchema(b)])) }]),
        ),
      };
  }
}

function leafSchema(f: FieldSpec): Json {
  const s = kindSchema(f.type);
  const nullable = 'nullable' in f.type && f.type.nullable === true;
  const out: Json = nullable ? (s.enum ? { enum: [...(s.enum as unknown[]), null] } : { ...s, type: [s.type, 'null'] }) : s;
  const notes = [f.env ? `environment: ${f.env}` : 'config file only', f.secret ? 'secret: shown as ***' : null].filter((x) => x !== null);
  return { ...out, description: notes.join('; ') };
}

/** The schema of a config file: every option but the flag-only ones (a file may not set them). */
export function configJsonSchema(): Json {
  const root: Json = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'qgtm configuration file (--config FILE or QGTM_CONFIG)',
    type: 'object',
    additionalProperties: false,
    properties: {},
  };
  for (const f of FIELDS) {
    if (f.flagOnly) continue;
    const keys = f.path.split('.');
    let node = root;
    for (const k of keys.slice(0, -1)) {
      const props = node.properties as Record<string, Json>;
      node = props[k] ??= { type: 'object', additionalProperties: false, properties: {} };
    }
    (node.properties as Record<string, Json>)[keys[keys.length - 1]] = leafSchema(f);
  }
  return root;
}

/**
 * An example file: every option a file may set, at its default (so loading
 * it changes nothing), with one parameter override to show the shape of
 * `strategies.params` (the value the `intraday` profile already gives).
 */
export function exampleConfig(): Json {
  const out: Json = { $schema: './qgtm.schema.json' };
  for (const f of FIELDS) {
    if (f.flagOnly) continue;
    const keys = f.path.split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Json;
    let v: unknown = keys.reduce<unknown>((o, k) => (o as Json)[k], DEFAULT_CONFIG);
    if (f.path === 'strategies.params') v = { trend_ma_cross: { fast: 5, slow: 30 } };
    node[keys[keys.length - 1]] = v;
  }
  return out;
}

/** The text of a generated file: two-space JSON and a final newline. */
export function jsonText(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}
