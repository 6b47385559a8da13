import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, exampleConfig, jsonText } from '../../../../app/config/json-schema.js';
import { loadConfig } from '../../../../app/config/load.js';
import { DEFAULT_CONFIG } from '../../../../app/config/schema.js';
import { strategyOverrides } from '../../../../app/config/trading.js';

// Tests run from dist/tests/...; the committed files live in the source tree.
const source = (name: string): URL => new URL(`../../../../../app/config/${name}`, import.meta.url);

type Schema = Record<string, unknown>;

/**
 * The part of JSON Schema 2020-12 the generator uses: type (one or a list),
 * enum, properties with additionalProperties false, items, uniqueItems,
 * minItems/maxItems, minimum/maximum/exclusiveMinimum, minLength, pattern.
 * Returns the paths that fail.
 */
function check(schema: Schema, v: unknown, path = '$'): string[] {
  const out: string[] = [];
  const typeOf = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x === 'number' && Number.isInteger(x) ? 'integer' : typeof x);
  if (schema.type !== undefined) {
    const types = ([] as unknown[]).concat(schema.type);
    const t = typeOf(v);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [`${path}: type ${t}, wanted ${types.join('|')}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(v)) out.push(`${path}: not in enum`);
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) out.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && v > schema.maximum) out.push(`${path}: above maximum`);
    if (typeof schema.exclusiveMinimum === 'number' && v <= schema.exclusiveMinimum) out.push(`${path}: not above exclusiveMinimum`);
  }
  if (typeof v === 'string') {
    if (typeof schema.minLength === 'number' && v.length < schema.minLength) out.push(`${path}: too short`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v)) out.push(`${path}: pattern`);
  }
  if (Array.isArray(v)) {
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) out.push(`${path}: too few items`);
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) out.push(`${path}: too many items`);
    if (schema.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) out.push(`${path}: duplicate items`);
    if (schema.items) v.forEach((x, i) => out.push(...check(schema.items as Schema, x, `${path}[${i}]`)));
  }
  if (typeOf(v) === 'object' && schema.properties) {
    const props = schema.properties as Record<string, Schema>;
    for (const [k, x] of Object.entries(v as object)) {
      if (props[k]) out.push(...check(props[k], x, `${path}.${k}`));
      else if (schema.additionalProperties === false && !(path === '$' && k === '$schema')) out.push(`${path}.${k}: not allowed`);
    }
  }
  return out;
}

describe('generated JSON Schema and example', () => {
  it('the committed qgtm.schema.json and qgtm.example.json are what the generator writes (regenerate: qgtm config schema|example)', () => {
    expect(readFileSync(source('qgtm.schema.json'), 'utf8')).toBe(jsonText(configJsonSchema()));
    expect(readFileSync(source('qgtm.example.json'), 'utf8')).toBe(jsonText(exampleConfig()));
  });

  it('the example passes the real loader and changes nothing the daemon runs', () => {
    const { config } = loadConfig({ mode: 'start', file: source('qgtm.example.json').pathname, env: {}, randomToken: () => 'y'.repeat(20) });
    const { strategies, auth, ...rest } = config;
    const { strategies: defStrategies, auth: _defAuth, ...defRest } = DEFAULT_CONFIG;
    expect(rest).toEqual(defRest);
    expect({ ...strategies, params: {} }).toEqual(defStrategies);
    expect(strategyOverrides(strategies)).toEqual(strategyOverrides(defStrategies));
    expect(auth.token).toBe('y'.repeat(20));
  });

  it('the schema accepts the example and refuses what the loader refuses', () => {
    const schema = configJsonSchema();
    const example = exampleConfig();
    expect(check(schema, example)).toEqual([]);
    const bad = JSON.parse(JSON.stringify(example)) as Record<string, Record<string, unknown>>;
    (bad.risk as Record<string, unknown>).maxDrawdwn = 1;
    (bad.allocator.sizing as Record<string, unknown>).maxWeight = 0;
    (bad.strategies.params as Record<string, unknown>).trend_ma_cross = { fast: 1.5 };
    bad.http.port = 70_000;
    bad.venue.live = true;
    expect(check(schema, bad).sort()).toEqual([
      '$.allocator.sizing.maxWeight: not above exclusiveMinimum',
      '$.http.port: above maximum',
      '$.risk.maxDrawdwn: not allowed',
      '$.strategies.params.trend_ma_cross.fast: type number, wanted integer',
      '$.venue.live: not allowed',
    ]);
  });
});
