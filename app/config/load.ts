/**
 * Loads the configuration: defaults, then a JSON file (`--config PATH` or
 * `QGTM_CONFIG`), then the environment, then command-line flags, each layer
 * overriding the one before. Validated once; every violation is collected and
 * thrown together as a ConfigError, each naming its option path and where the
 * bad value came from. Secret values are never echoed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { alpacaPaperEndpoints } from '../../src/alpaca/endpoints.js';
import { endpointViolations } from '../../src/alpaca/trading-mode.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_CONFIG, FIELDS, type FieldSpec, type QgtmConfig } from './schema.js';
import { MOVED, paramsViolations, tradingViolations, type AllocatorSettings, type RiskSettings } from './trading.js';
import { closest, didYouMean } from './suggest.js';
import { parseJsonBounded } from '../../src/runtime/untrusted.js';

/** A config file is nested a few levels; deeper, larger or with prototype keys is refused before it is built. */
const CONFIG_BOUNDS = { maxDepth: 32, maxBytes: 4 * 1024 * 1024 };

/** Which process is loading: decides what is required and whether a token is generated. */
export type ConfigMode = 'start' | 'daemon' | 'api' | 'node';

export interface LoadConfigOptions {
  readonly mode: ConfigMode;
  /** Config file path (from `--config`); when undefined, `QGTM_CONFIG` from `env` is used. */
  readonly file?: string | null;
  /** Environment; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flag values by option path (e.g. `{'http.port': '9000'}`), strings or already typed. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** How each override is named in messages (e.g. `{'http.port': '--http-port'}`). */
  readonly overrideNames?: Readonly<Record<string, string>>;
  /** Token generator (tests). */
  readonly randomToken?: () => string;
}

export interface LoadedConfig {
  readonly config: QgtmConfig;
  /** Set when `mode` is 'start' and no token was configured: print it once, never log it. */
  readonly generatedToken: string | null;
  /** Where each option's value came from: 'default', 'file PATH', 'env NAME' or the flag. */
  readonly sources: Readonly<Record<string, string>>;
  readonly file: string | null;
}

interface Leaf {
  value: unknown;
  source: string;
}

const BY_PATH: ReadonlyMap<string, FieldSpec> = new Map(FIELDS.map((f) => [f.path, f]));

/** The value at a dotted path (`risk.staleData.ladder.WARN`), undefined where the path runs out. */
export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split('.')) cur = cur === null || cur === undefined ? undefined : (cur as Record<string, unknown>)[k];
  return cur;
}

/** Sets the value at a dotted path, making the objects on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[keys[keys.length - 1]] = value;
}

/** Strings from the environment or flags become numbers where the option is numeric. */
function coerce(spec: FieldSpec, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const t = raw.trim();
  if ((spec.type.kind === 'int' || spec.type.kind === 'number') && /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (spec.type.kind === 'boolean' && /^(1|true|yes)$/i.test(t)) return true;
  if (spec.type.kind === 'boolean' && /^(0|false|no)$/i.test(t)) return false;
  if (spec.type.kind === 'ids') return t === '' ? [] : t.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return raw;
}

function describe(spec: FieldSpec): string {
  const t = spec.type;
  switch (t.kind) {
    case 'string':
      return t.describe ?? (t.minLength && t.minLength > 1 ? `a string of at least ${t.minLength} characters` : 'a non-empty string');
    case 'int':
      return t.describe ?? `an integer ${t.min}-${t.max}`;
    case 'number': {
      const lo = t.greaterThan !== undefined ? `> ${t.greaterThan}` : t.min !== undefined ? `>= ${t.min}` : null;
      const hi = t.max !== undefined ? `<= ${t.max}` : null;
      return lo && hi ? `a number ${lo} and ${hi}` : lo || hi ? `a number ${lo ?? hi}` : 'a finite number';
    }
    case 'ids':
      return `a list of distinct names among ${t.values.join(', ')}`;
    case 'params':
      return 'an object of strategy id to parameter overrides';
    case 'enum':
      return `one of ${t.values.join(', ')}`;
    case 'boolean':
      return 'true or false (1 or 0)';
    case 'url':
      return `a URL with scheme ${t.schemes.map((s) => s.replace(/:$/, '')).join(' or ')}`;
  }
}

function valid(spec: FieldSpec, v: unknown): boolean {
  const t = spec.type;
  if (v === null) return 'nullable' in t && t.nullable === true;
  switch (t.kind) {
    case 'string':
      return typeof v === 'string' && v.length >= (t.minLength ?? 1) && (!t.pattern || t.pattern.test(v));
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= t.min && v <= t.max;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && (t.greaterThan === undefined || v > t.greaterThan) && (t.min === undefined || v >= t.min) && (t.max === undefined || v <= t.max);
    case 'ids':
      return Array.isArray(v) && v.every((x) => typeof x === 'string' && t.values.includes(x)) && new Set(v).size === v.length;
    case 'params':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'enum':
      return typeof v === 'string' && t.values.includes(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'url': {
      if (typeof v !== 'string') return false;
      try {
        return t.schemes.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }
  }
}

/** One option's coercion, check and description, for other paths that set options (research overrides). */
export { coerce as coerceOption, valid as validOption, describe as describeOption };

function shown(spec: FieldSpec, v: unknown): string {
  if (spec.secret) return '(secret value not shown)';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The object a section's leaves build (for the checks across fields). */
function section(name: string, leaves: ReadonlyMap<string, Leaf>): unknown {
  const out: Record<string, unknown> = {};
  for (const [path, leaf] of leaves) if (path.startsWith(`${name}.`)) setPath(out, path, leaf.value);
  return out[name];
}

/** Known keys one level below `prefix` ('' = the top level). */
function childKeys(prefix: string): Set<string> {
  const out = new Set<string>();
  const depth = prefix === '' ? 0 : prefix.split('.').length;
  for (const f of FIELDS) {
    if (prefix !== '' && !f.path.startsWith(`${prefix}.`)) continue;
    out.add(f.path.split('.')[depth]);
  }
  return out;
}

/** `unknown option a.b`, with where it moved or the nearest known key at its level. */
export function unknownOption(path: string): string {
  const moved = MOVED[path];
  if (moved) return `unknown option ${path}: it moved to ${moved}`;
  const keys = path.split('.');
  const prefix = keys.slice(0, -1).join('.');
  const siblings = childKeys(prefix);
  const near = didYouMean(keys[keys.length - 1], siblings, (c) => (prefix ? `${prefix}.${c}` : c));
  // A key misspelt higher up (risk.drawdwn.ladder.WARN): suggest the whole path with that key fixed.
  return `unknown option ${path}${near || didYouMean(path, FIELDS.map((f) => f.path))}`;
}

/**
 * QGTM_ variables that are not options: those the tests, benchmarks and the
 * `qgtm` launcher read. Any other QGTM_ name a typo away from an option is
 * refused; a name far from every option is some other tool's and left alone.
 */
const NOT_OPTIONS = /^QGTM_(CONFIG|BIN|TEST_.*|BENCH_.*|FUZZ_.*|CHAOS_.*|CHROMIUM|WEB_TEST_.*)$/;
const ENV_NAMES: ReadonlySet<string> = new Set(FIELDS.flatMap((f) => (f.env ? [f.env] : [])));

function unknownEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('QGTM_') || ENV_NAMES.has(name) || NOT_OPTIONS.test(name)) continue;
    const near = closest(name, ENV_NAMES);
    if (near) out.push(`unknown environment variable ${name} (did you mean ${near}?)`);
  }
  return out;
}

function readFile(path: string, leaves: Map<string, Leaf>, violations: string[]): void {
  let parsed: unknown;
  try {
    parsed = parseJsonBounded(readFileSync(path, 'utf8'), CONFIG_BOUNDS);
  } catch (err) {
    violations.push(`config file ${path} could not be read as JSON: ${(err as Error).message}`);
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    violations.push(`config file ${path} must hold a JSON object`);
    return;
  }
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      // An editor's pointer to the schema (qgtm.example.json has one), not an option.
      if (prefix === '' && k === '$schema') continue;
      const path2 = prefix ? `${prefix}.${k}` : k;
      const spec = BY_PATH.get(path2);
      if (spec?.flagOnly) {
        violations.push(`${path2} cannot be set in a config file (${path}); only the ${spec.flagOnly} flag sets it`);
      } else if (spec) {
        leaves.set(path2, { value: v, source: `file ${path}` });
      } else if (FIELDS.some((f) => f.path.startsWith(`${path2}.`)) || Object.keys(MOVED).some((m) => m.startsWith(`${path2}.`))) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Record<string, unknown>, path2);
        else violations.push(`${path2} must be an object (in ${path})`);
      } else {
        violations.push(`${unknownOption(path2)} (in ${path})`);
      }
    }
  };
  walk(parsed as Record<string, unknown>, '');
}

/** Loads and validates; throws ConfigError listing every violation. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const env = options.env ?? process.env;
  const violations: string[] = [];
  const leaves = new Map<string, Leaf>();
  for (const f of FIELDS) leaves.set(f.path, { value: getPath(DEFAULT_CONFIG, f.path), source: 'default' });

  const file = options.file !== undefined ? options.file : (env.QGTM_CONFIG || null);
  if (file) readFile(file, leaves, violations);

  violations.push(...unknownEnv(env));
  for (const f of FIELDS) {
    const raw = f.env ? env[f.env] : undefined;
    if (raw !== undefined && raw !== '') leaves.set(f.path, { value: coerce(f, raw), source: `env ${f.env}` });
  }
  for (const [path, raw] of Object.entries(options.overrides ?? {})) {
    const spec = BY_PATH.get(path);
    if (!spec) {
      violations.push(unknownOption(path));
      continue;
    }
    if (raw === undefined) continue;
    leaves.set(path, { value: coerce(spec, raw), source: options.overrideNames?.[path] ?? `flag for ${path}` });
  }

  for (const f of FIELDS) {
    const leaf = leaves.get(f.path)!;
    if (!valid(f, leaf.value)) violations.push(`${f.path} must be ${describe(f)}; got ${shown(f, leaf.value)} from ${leaf.source}`);
  }
  const value = (path: string): unknown => leaves.get(path)!.value;
  const idle = value('gateway.wsIdleTimeoutSec');
  if (typeof idle === 'number' && idle > 0 && idle < 8) violations.push(`gateway.wsIdleTimeoutSec must be 0 or 8-960; got ${idle} from ${leaves.get('gateway.wsIdleTimeoutSec')!.source}`);
  if (value('venue.mode') === 'alpaca') {
    if (value('venue.keyId') === null) violations.push('venue.keyId is required when venue.mode is alpaca (APCA_API_KEY_ID)');
    if (value('venue.secretKey') === null) violations.push('venue.secretKey is required when venue.mode is alpaca (APCA_API_SECRET_KEY)');
  }
  violations.push(...liveViolations(value, options.mode));
  if ((options.mode === 'api' || options.mode === 'daemon' || options.mode === 'node') && value('redis.url') === null) {
    violations.push(`redis.url is required by \`qgtm ${options.mode}\` (--redis URL or REDIS_URL)`);
  }
  if (options.mode === 'start' && value('cluster.enabled') === true) {
    violations.push('cluster.enabled needs Redis: run `qgtm daemon --cluster` with `qgtm node` processes (the all-in-one runs its shards in process)');
  }
  // Rules across fields only once every field of theirs is valid alone (a ladder of strings has no order).
  if (!violations.some((x) => /^(risk|allocator)\./.test(x))) {
    violations.push(...tradingViolations({ risk: section('risk', leaves) as RiskSettings, allocator: section('allocator', leaves) as AllocatorSettings }));
  }
  const params = value('strategies.params');
  if (valid(BY_PATH.get('strategies.params')!, params)) violations.push(...paramsViolations(params).map((x) => `${x} (from ${leaves.get('strategies.params')!.source})`));
  if (violations.length > 0) throw new ConfigError(violations);

  const config: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [path, leaf] of leaves) {
    setPath(config, path, leaf.value);
    sources[path] = leaf.source;
  }
  let generatedToken: string | null = null;
  if (options.mode === 'start' && value('auth.token') === null) {
    generatedToken = (options.randomToken ?? (() => randomBytes(24).toString('base64url')))();
    setPath(config, 'auth.token', generatedToken);
    sources['auth.token'] = 'generated';
  }
  return { config: deepFreeze(config) as unknown as QgtmConfig, generatedToken, sources, file };
}

/** Paper first: the trading endpoint must be paper unless `--live` and the live account say otherwise. */
function liveViolations(value: (path: string) => unknown, mode: ConfigMode): string[] {
  if (mode === 'api' || mode === 'node') return [];
  const optIn = { live: value('venue.live') === true, liveAccount: (value('venue.liveAccount') as string | null) ?? null };
  if (value('venue.mode') === 'alpaca') {
    const rest = (value('venue.paperUrl') as string | null) ?? alpacaPaperEndpoints().restBaseUrl;
    return endpointViolations(rest, optIn);
  }
  return optIn.live ? ['--live was given but venue.mode is local: the local venue is a paper venue (QGTM_VENUE_MODE=alpaca trades on Alpaca)'] : [];
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A copy safe to log: secrets become '***', a password in a Redis URL is masked. */
export function redactConfig(config: QgtmConfig): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const f of FIELDS) {
    if (!f.secret) continue;
    const v = getPath(copy, f.path);
    if (v === null || v === undefined) continue;
    if (f.type.kind === 'url' && typeof v === 'string') {
      try {
        const u = new URL(v);
        if (u.password) u.password = '***';
        setPath(copy, f.path, u.toString());
        continue;
      } catch {
        // fall through to full redaction
      }
    }
    setPath(copy, f.path, '***');
  }
  return copy;
}
