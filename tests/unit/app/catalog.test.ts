import { describe, expect, it } from 'vitest';
import { catalogEntries, unfedInputs } from '../../../app/catalog.js';
import { universe } from '../../../src/universe/index.js';

const symbols = (focus: 'pm' | 'broad') => universe(focus).map((i) => i.symbol);

describe('catalog surface', () => {
  it('every entry lists its inputs (empty when it reads only what it trades)', () => {
    const byId = Object.fromEntries(catalogEntries().map((e) => [e.id, e]));
    expect(byId.gold_copper_ratio!.inputs).toEqual(['CPER']);
    expect(byId.gold_copper_ratio!.instruments).toEqual(['GLD']);
    expect(byId.silver_beta!.inputs).toEqual(['GLD']);
    expect(byId.trend_ma_cross!.inputs).toEqual([]);
  });

  it('the PM universe then the cross-asset entries are named as unfed; broad or disabled then none', () => {
    expect(unfedInputs(symbols('pm'))).toEqual([
      { id: 'gold_copper_ratio', missing: ['CPER'] },
      { id: 'gold_oil_ratio', missing: ['USO'] },
    ]);
    expect(unfedInputs(symbols('broad'))).toEqual([]);
    expect(unfedInputs(symbols('pm'), ['gold_copper_ratio', 'gold_oil_ratio'])).toEqual([]);
  });
});
