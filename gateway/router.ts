/**
 * A small method + path router. uWS's own router cannot tell "no such path"
 * (404) from "path exists, wrong method" (405 with Allow), which the API must.
 */
import { HttpError, type Exchange, type Reply } from './http.js';

export type Params = Readonly<Record<string, string>>;
export type Handler<C> = (ex: Exchange, params: Params, ctx: C) => Promise<Reply>;

export interface Route<C> {
  readonly method: 'GET' | 'POST';
  /** `/api/v1/strategies/:id/enable`: `:name` matches one non-empty segment. */
  readonly pattern: string;
  readonly handler: Handler<C>;
  /** The handler reads a body (started before the first await). */
  readonly body?: boolean;
}

export type Match<C> = { readonly route: Route<C>; readonly params: Params } | { readonly route: null; readonly allowed: readonly string[]; readonly pattern: string } | null;

export class Router<C> {
  private readonly routes: { route: Route<C>; segments: string[] }[] = [];

  add(route: Route<C>): this {
    this.routes.push({ route, segments: route.pattern.split('/').slice(1) });
    return this;
  }

  /** Every route, in the order added (the OpenAPI description walks them). */
  list(): readonly Route<C>[] {
    return this.routes.map((r) => r.route);
  }

  /** The route for method and path; `{route: null, allowed}` when only the method is wrong; null when nothing matches. */
  match(method: string, path: string): Match<C> {
    const parts = path.split('/').slice(1);
    const allowed: string[] = [];
    let pattern = '';
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
      pattern ||= route.pattern;
    }
    return allowed.length > 0 ? { route: null, allowed: [...new Set(allowed)], pattern } : null;
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) {
      if (parts[i] === '') return null;
      let v: string;
      try {
        v = decodeURIComponent(parts[i]);
      } catch {
        throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `path segment ${parts[i]} is not valid percent-encoding`);
      }
      params[p.slice(1)] = v;
    } else if (p !== parts[i]) {
      return null;
    }
  }
  return params;
}
