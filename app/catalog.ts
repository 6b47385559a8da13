/**
 * The static strategy catalog as surfaces show it: what each entry is, not
 * how it is computed.
 */
import { CATALOG } from '../actors/strategy/registry.js';
import type { StrategyDef } from '../actors/strategy/strategy.js';

export type CatalogEntryView = Pick<StrategyDef, 'id' | 'family' | 'thesis' | 'instruments' | 'macro' | 'trigger' | 'params'>;

export function catalogEntries(): CatalogEntryView[] {
  return CATALOG.map((s) => ({ id: s.id, family: s.family, thesis: s.thesis, instruments: s.instruments, macro: s.macro, trigger: s.trigger, params: s.params }));
}
