/**
 * The static strategy catalog as surfaces show it: what each entry is, not
 * how it is computed.
 */
import { CATALOG } from '../actors/strategy/registry.js';
import type { StrategyDef } from '../actors/strategy/strategy.js';

export type CatalogEntryView = Pick<StrategyDef, 'id' | 'family' | 'thesis' | 'instruments' | 'macro' | 'trigger' | 'params'> & {
  /** Symbols read but not traded (empty when none). */
  readonly inputs: readonly string[];
};

export function catalogEntries(): CatalogEntryView[] {
  return CATALOG.map((s) => ({ id: s.id, family: s.family, thesis: s.thesis, instruments: s.instruments, inputs: s.inputs ?? [], macro: s.macro, trigger: s.trigger, params: s.params }));
}

/**
 * Enabled entries reading an input (a symbol read, not traded) that the
 * universe's feeds do not carry: they hold no signal until it is fed
 * (gold_copper_ratio's CPER and gold_oil_ratio's USO are broad-universe
 * symbols). The daemon warns about them at start.
 */
export function unfedInputs(symbols: readonly string[], disabled: readonly string[] = []): { id: string; missing: string[] }[] {
  const fed = new Set(symbols);
  const off = new Set(disabled);
  return CATALOG.filter((s) => !off.has(s.id))
    .map((s) => ({ id: s.id, missing: (s.inputs ?? []).filter((sym) => !fed.has(sym)) }))
    .filter((x) => x.missing.length > 0);
}
