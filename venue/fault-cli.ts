/**
 * `qgtm venue fault`: injects a fault into a running venue started with
 * `--admin`, through its loopback admin routes, so a person can rehearse an
 * outage against a running daemon.
 */
import { parseJsonBounded } from '../src/runtime/untrusted.js';
import { ConfigError, QgtmError } from '../src/errors.js';
import { FAULT_KINDS } from './http/admin-routes.js';
import { isLoopbackHost } from './config.js';

export const FAULT_USAGE = `Usage: qgtm venue fault <kind> [fields] --url URL
       qgtm venue fault list --url URL
       qgtm venue fault clear --url URL

Injects a fault into a venue started with \`qgtm venue --admin\` (URL is the
venue's base URL, as it printed it; loopback only).

Kinds and their fields (every field optional):
  http_error      --count N (1) --status 5xx (500) --scope all|trading|data|macro
  rate_limit      --count N (1) --retry-after-sec S (1) --scope ...   (429 + X-Ratelimit-Reset)
  garbage_json    --count N (1) --scope ...                            (200 with broken JSON)
  latency         --ms N (0 clears) --for-sec S
  slow            --count N (1) --ms N
  drop_streams    --which all|trading|data                             (abrupt close)
  refuse_streams  --which all|trading|data --for-sec S (10)            (logins refused)
  stall_data      --for-sec S (10)                                     (no market data)
  reject_orders   --count N (1) --reason TEXT

Example:
  qgtm venue fault rate_limit --count 20 --retry-after-sec 5 --url http://127.0.0.1:41234`;

/** Turns `--retry-after-sec` into `retryAfterSec`. */
function camel(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export interface FaultCommand {
  readonly action: 'inject' | 'list' | 'clear' | 'help';
  readonly url: string;
  readonly body?: Record<string, string | number>;
}

/** Parses `qgtm venue fault ...`; throws ConfigError listing every problem. */
export function parseFaultArgs(argv: readonly string[]): FaultCommand {
  const v: string[] = [];
  let url = '';
  const fields: Record<string, string | number> = {};
  const positional: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--help' || arg === '-h') return { action: 'help', url: '' };
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++k];
    if (value === undefined) {
      v.push(`${flag} needs a value`);
      continue;
    }
    if (flag === '--url') url = value;
    else fields[camel(flag)] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  const [what, ...extra] = positional;
  if (extra.length > 0) v.push(`unexpected arguments: ${extra.join(' ')}`);
  if (!what) v.push(`a fault kind is required: ${Object.keys(FAULT_KINDS).join(', ')}, or list, or clear`);
  if (url === '') v.push('--url is required (the venue base URL, e.g. http://127.0.0.1:41234)');
  else {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' || !isLoopbackHost(u.hostname)) v.push(`--url must be an http:// URL on a loopback host (got ${url})`);
    } catch {
      v.push(`--url is not a URL (got ${url})`);
    }
  }
  const action = what === 'list' || what === 'clear' ? what : 'inject';
  if (action === 'inject' && what) {
    const rules = FAULT_KINDS[what];
    if (!Object.hasOwn(FAULT_KINDS, what) || !rules) v.push(`unknown fault kind ${what} (kinds: ${Object.keys(FAULT_KINDS).join(', ')})`);
    else for (const f of Object.keys(fields)) if (!Object.hasOwn(rules, f)) v.push(`--${f.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} does not apply to ${what}`);
  } else if (Object.keys(fields).length > 0) {
    v.push(`${what} takes no fields but --url`);
  }
  if (v.length > 0) throw new ConfigError(v);
  const base = url.replace(/\/+$/, '');
  return action === 'inject' ? { action, url: base, body: { kind: what!, ...fields } } : { action, url: base };
}

/** Sends one admin request; resolves with the venue's JSON reply. */
export async function sendFaultCommand(cmd: FaultCommand, timeoutMs = 5000): Promise<unknown> {
  const method = cmd.action === 'inject' ? 'POST' : cmd.action === 'clear' ? 'DELETE' : 'GET';
  const res = await fetch(`${cmd.url}/admin/faults`, {
    method,
    signal: AbortSignal.timeout(timeoutMs),
    ...(cmd.body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(cmd.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = parseJsonBounded(text, { maxDepth: 16 });
  } catch {
    json = text;
  }
  if (res.status === 404) throw new QgtmError('QGTM_ERR_VENUE_ADMIN', `${cmd.url} has no admin routes: start the venue with qgtm venue --admin`);
  if (!res.ok) throw new QgtmError('QGTM_ERR_VENUE_ADMIN', `venue refused the fault (${res.status}): ${(json as { message?: string })?.message ?? text}`);
  return json;
}

export async function runFaultCommand(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const cmd = parseFaultArgs(argv);
  if (cmd.action === 'help') {
    log(FAULT_USAGE);
    return;
  }
  log(JSON.stringify(await sendFaultCommand(cmd)));
}
