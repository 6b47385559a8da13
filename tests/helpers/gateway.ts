/** A gateway on a free loopback port over an InMemoryBus with a live fake daemon. */
import { InMemoryBus } from '../../app/bus/memory.js';
import type { CommandHandler } from '../../app/bus/commands.js';
import { createLogger } from '../../src/runtime/logger.js';
import { startGateway, type GatewayHandle, type GatewayOptions } from '../../gateway/server.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface TestGateway {
  readonly gw: GatewayHandle;
  readonly bus: InMemoryBus;
  readonly url: string;
  readonly logs: string[];
  /** Authorization header for commands. */
  readonly auth: { authorization: string };
  close(): Promise<void>;
}

export async function startTestGateway(options: Partial<GatewayOptions> & { handler?: CommandHandler; heartbeatTtlMs?: number } = {}): Promise<TestGateway> {
  const bus = new InMemoryBus({ heartbeatTtlMs: options.heartbeatTtlMs ?? 60_000 });
  bus.heartbeat({ pid: 4242, startedAt: 1, version: 'test-daemon', degraded: [] });
  if (options.handler) bus.onCommand(options.handler);
  const logs: string[] = [];
  const gw = await startGateway({
    port: 0,
    token: TOKEN,
    processMetrics: false,
    log: createLogger('debug', {}, (l) => logs.push(l)),
    ...options,
    bus: options.bus ?? bus,
  });
  return { gw, bus, url: gw.url, logs, auth: { authorization: `Bearer ${TOKEN}` }, close: () => gw.close() };
}

/** Parses a Prometheus exposition into `name{labels}` -> value for simple lookups. */
export async function scrapeValues(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
