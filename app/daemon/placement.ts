/**
 * Placement modes and worker heap caps of the trading actors: which worker
 * thread each runs in (app/daemon/topology.ts explains the choice). Kept
 * apart from the tree so the configuration can name them without loading
 * any actor.
 */

export const PLACEMENT_MODES = ['split', 'compact', 'isolated'] as const;
export type PlacementMode = (typeof PLACEMENT_MODES)[number];
export const DEFAULT_PLACEMENT: PlacementMode = 'split';

export interface HeapLimits {
  /** Heap cap of a worker that runs strategy code. Default 768. */
  readonly strategyMb?: number;
  /** Heap cap of every other worker (broker, risk, allocator, market data). Default 512. */
  readonly workerMb?: number;
}

export const DEFAULT_HEAP: Required<HeapLimits> = { strategyMb: 768, workerMb: 512 };

/** The worker (placement group) of a trading actor under a placement mode. */
export function placementFor(id: string, mode: PlacementMode = DEFAULT_PLACEMENT): string {
  if (mode === 'isolated') return id.replace(/:/g, '-');
  if (id === 'broker') return 'broker';
  if (mode === 'split' && id.startsWith('strategy:')) return 'strategies';
  return 'trading';
}
