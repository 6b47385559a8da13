/**
 * Which server the browser tests drive. `QGTM_WEB_TEST_SERVER`:
 *
 * - `gateway` (the default when the compiled gateway is present): FakeDaemon
 *   behind the real gateway (`startGateway` + `InMemoryBus` from gateway/ and
 *   app/bus/), fed through the daemon side of the bus exactly as the daemon
 *   feeds it. Loaded dynamically, so this folder compiles before gateway/ is
 *   merged.
 * - `fake`: the stand-in node http + ws server (fake-server.ts).
 *
 * Both return `{httpUrl, token, close()}` like the lead's `startAllInOne`,
 * plus the test controls they can offer (tests needing a missing control
 * skip with the reason).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Tier } from '../../actors/risk/tiers.js';
import { FakeDaemon } from './fake-daemon.js';
import { startFakeServer, type TerminalServer } from './fake-server.js';

export type { TerminalServer } from './fake-server.js';

/** Controls a test server may offer beyond `{httpUrl, token, close()}`. */
export interface TestControls {
  readonly kind: 'fake' | 'gateway';
  readonly daemon: FakeDaemon;
  /** Stops (or resumes) the heartbeat and telemetry: the API then reports the daemon down. */
  setDaemonUp(up: boolean): void;
  /** Closes every WebSocket from the server side (fake server only). */
  dropClients?(): void;
}

export type TestServer = TerminalServer & TestControls;

const GATEWAY_JS = new URL('../../gateway/index.js', import.meta.url);
const BUS_JS = new URL('../../app/bus/index.js', import.meta.url);
const SECTIONS = ['health', 'risk', 'strategies', 'forecasts', 'universe', 'positions', 'orders', 'fills', 'watchdog', 'dead_letters', 'audit', 'performance'] as const;
const HEARTBEAT_TTL_MS = 3000;

export function gatewayAvailable(): boolean {
  return existsSync(fileURLToPath(GATEWAY_JS)) && existsSync(fileURLToPath(BUS_JS));
}

export async function startTestServer(options: { webRoot: string }): Promise<TestServer> {
  const want = process.env.QGTM_WEB_TEST_SERVER ?? (gatewayAvailable() ? 'gateway' : 'fake');
  if (want === 'fake') return { kind: 'fake', ...(await startFakeServer(options)) } as TestServer;
  if (want !== 'gateway') throw new Error(`QGTM_WEB_TEST_SERVER must be fake or gateway, got ${want}`);
  if (!gatewayAvailable()) throw new Error(`QGTM_WEB_TEST_SERVER=gateway but ${fileURLToPath(GATEWAY_JS)} is not built`);
  return startGatewayHarness(options);
}

/* Minimal shapes of what the harness uses from gateway/ and app/bus/ (typed here because they are imported dynamically). */
interface Cmd {
  readonly id: string;
  readonly type: string;
  readonly tier?: Tier;
  readonly reason?: string;
  readonly strategyId?: string;
  readonly frozen?: boolean;
  readonly spec?: Record<string, unknown>;
  readonly by?: string;
  readonly at?: number;
}
type Ack = { id: string; ok: boolean; result?: unknown; error?: { code: string; message: string } };
interface Bus {
  putState(section: string, value: unknown): void;
  publish(topic: string, msg: unknown): void;
  heartbeat(info: { pid: number; startedAt: number; version: string; degraded: string[] }): void;
  onCommand(handler: (cmd: Cmd) => Promise<Ack>): () => void;
  close(): Promise<void>;
}

async function startGatewayHarness(options: { webRoot: string }): Promise<TestServer> {
  const { InMemoryBus } = (await import(BUS_JS.href)) as { InMemoryBus: new (o: { heartbeatTtlMs: number }) => Bus };
  const { startGateway } = (await import(GATEWAY_JS.href)) as {
    startGateway(o: { bus: Bus; port: number; token: string; webRoot: string; processMetrics?: boolean }): Promise<{ url: string; close(): Promise<void> }>;
  };
  const bus = new InMemoryBus({ heartbeatTtlMs: HEARTBEAT_TTL_MS });
  let up = true;
  const daemon = new FakeDaemon((topic, msg) => {
    if (up) bus.publish(topic, msg);
  });
  const startedAt = Date.now();
  const handle = async (cmd: Cmd): Promise<Ack> => {
    const ok = (result: unknown): Ack => ({ id: cmd.id, ok: true, result });
    switch (cmd.type) {
      case 'risk.set_tier':
        return ok({ tier: daemon.setTier(cmd.tier!, cmd.reason ?? '') });
      case 'risk.flatten':
        return ok({ tier: daemon.setTier('FLATTEN', cmd.reason ?? '') });
      case 'risk.clear_tier':
        return ok({ tier: daemon.clearTier(cmd.reason ?? '') });
      case 'strategy.enable':
      case 'strategy.disable': {
        const r = daemon.strategyCommand(cmd.strategyId!, cmd.type === 'strategy.enable' ? 'enable' : 'disable', cmd.reason ?? '');
        return r.ok ? ok(r.message) : { id: cmd.id, ok: false, error: { code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: r.message } };
      }
      case 'strategy.learning':
        return ok(daemon.learningCommand(cmd.frozen === true));
      case 'strategy.add_runtime':
      case 'strategy.change_runtime':
      case 'strategy.remove_runtime': {
        const r = daemon.runtimeCommand(cmd);
        if (r.ok) put();
        return r.ok ? ok({ entry: r.entry ?? null }) : { id: cmd.id, ok: false, error: { code: r.code ?? 'QGTM_ERR_STRATEGY_COMMAND', message: r.message } };
      }
      default:
        return { id: cmd.id, ok: false, error: { code: 'QGTM_ERR_UNKNOWN_COMMAND', message: cmd.type } };
    }
  };
  // Like the daemon, every command goes into the audit trail with its outcome.
  bus.onCommand(async (cmd) => {
    const ack = await handle(cmd);
    daemon.noteCommand(cmd.type, cmd.by ?? 'operator', cmd.reason ?? null, ack.ok ? null : (ack.error?.message ?? 'refused'));
    return ack;
  });
  // Like the daemon: snapshots and the heartbeat every second, telemetry as it happens.
  const put = (): void => {
    for (const s of SECTIONS) bus.putState(s, daemon.section(s));
    bus.heartbeat({ pid: process.pid, startedAt, version: '0.1.0', degraded: [] });
  };
  put();
  let n = 0;
  const timer = setInterval(() => {
    if (!up) return;
    daemon.step();
    if (++n % 4 === 0) put();
  }, 250);
  const token = `harness-${Math.random().toString(36).slice(2)}-token`;
  const gw = await startGateway({ bus, port: 0, token, webRoot: options.webRoot, processMetrics: false });
  return {
    kind: 'gateway',
    httpUrl: gw.url,
    token,
    daemon,
    setDaemonUp(next) {
      up = next;
      if (up) put();
    },
    async close() {
      clearInterval(timer);
      await gw.close();
      await bus.close();
    },
  };
}
