/**
 * A small method + path router for the venue's REST surface. Own routing
 * (rather than uWS patterns) keeps Alpaca's literal-colon path
 * `/v2/orders:by_client_order_id` unambiguous and lets unknown paths and
 * wrong methods get JSON errors in the right dialect.
 */
// A leaf module with no imports: the venue stays apart from the runtime while sharing the one bounded decoder.
import { parseJsonBounded } from '../../src/runtime/untrusted.js';

/** Which API a route belongs to: selects auth, rate-limit key, fault scope and error dialect. */
export type RouteScope = 'trading' | 'data' | 'macro' | 'socrata' | 'health' | 'admin';

export interface VenueRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
}

export interface Reply {
  readonly status: number;
  /** Serialised as JSON unless undefined (no body). */
  readonly body?: unknown;
  /** A body sent as is with a JSON content type (fault injection only). */
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (req: VenueRequest) => Reply;

export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly scope: RouteScope;
  readonly handler: Handler;
}

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly scope: RouteScope }
  | { readonly kind: 'not_found' };

export class Router {
  private readonly routes: Compiled[] = [];

  add(route: Route): this {
    this.routes.push({ route, segments: route.pattern.split('/').filter((s) => s !== '') });
    return this;
  }

  addAll(routes: readonly Route[]): this {
    for (const r of routes) this.add(r);
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').filter((s) => s !== '');
    let pathMatched: RouteScope | undefined;
    // Static routes win over parameter routes, whatever the registration order.
    for (const pass of [false, true]) {
      for (const c of this.routes) {
        const hasParam = c.segments.some((s) => s.startsWith(':'));
        if (hasParam !== pass || c.segments.length !== parts.length) continue;
        const params: Record<string, string> = {};
        let ok = true;
        for (let k = 0; k < parts.length && ok; k++) {
          const seg = c.segments[k];
          if (seg.startsWith(':')) params[seg.slice(1)] = safeDecode(parts[k]);
          else ok = seg === parts[k];
        }
        if (!ok) continue;
        if (c.route.method === method) return { kind: 'found', route: c.route, params };
        pathMatched ??= c.route.scope;
      }
    }
    return pathMatched ? { kind: 'method_not_allowed', scope: pathMatched } : { kind: 'not_found' };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses a JSON request body; undefined for an empty body, throws SyntaxError when malformed. */
export function jsonBody(req: VenueRequest): unknown {
  if (!req.body || req.body.length === 0) return undefined;
  // Bounded (depth, prototype keys); a refusal is a SyntaxError to callers, which answer it as malformed JSON.
  try {
    return parseJsonBounded(req.body, { maxDepth: 16, maxBytes: req.body.length });
  } catch (err) {
    throw new SyntaxError(err instanceof Error ? err.message : 'request body is not valid JSON');
  }
}
