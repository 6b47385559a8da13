/** A virtual clock for the macro clients: sleeping advances time instantly and is recorded. */
import type { SourceClock } from '../../../../actors/macro/http-source.js';

export class VirtualClock implements SourceClock {
  readonly sleeps: number[] = [];

  constructor(public t = Date.UTC(2025, 0, 6, 15, 0)) {}

  now = (): number => this.t;

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

/** A fetch that answers from a list of canned responses and records the requests. */
export function cannedFetch(responses: (() => Response)[]): { fetch: typeof fetch; requests: { url: string; headers: Headers }[] } {
  const requests: { url: string; headers: Headers }[] = [];
  let k = 0;
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), headers: new Headers(init?.headers) });
    const make = responses[Math.min(k++, responses.length - 1)];
    return make();
  }) as typeof fetch;
  return { fetch: fn, requests };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): () => Response {
  return () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}
