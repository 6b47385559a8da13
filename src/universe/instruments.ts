/**
 * The tradable universes. `pm` (the default) is 20 precious-metals instruments:
 * bullion ETFs, miner ETFs, miners and royalty companies. `broad` adds 24
 * commodity instruments (energy, agriculture, base metals, uranium, lithium,
 * fertiliser) for 44 in all.
 *
 * `metal` is the primary metal exposure; `beta` is the instrument's typical
 * sensitivity to that metal's price (1 for bullion trusts, above 1 for miners,
 * which carry operating leverage). The venue's simulated market and the risk
 * concentration checks both read these.
 */

export type Focus = 'pm' | 'broad';

export type AssetClass =
  | 'bullion_etf'
  | 'miner_etf'
  | 'miner'
  | 'royalty'
  | 'commodity_etf'
  | 'commodity_equity';

export type Metal =
  | 'gold'
  | 'silver'
  | 'platinum'
  | 'palladium'
  | 'pgm'
  | 'copper'
  | 'base_metals'
  | 'energy'
  | 'agriculture'
  | 'uranium'
  | 'lithium'
  | 'diversified';

export interface Instrument {
  readonly symbol: string;
  readonly name: string;
  readonly assetClass: AssetClass;
  readonly metal: Metal;
  readonly beta: number;
}

const i = (symbol: string, name: string, assetClass: AssetClass, metal: Metal, beta: number): Instrument =>
  Object.freeze({ symbol, name, assetClass, metal, beta });

/** The 20 PM-focused instruments (the default universe). */
export const PM_UNIVERSE: readonly Instrument[] = Object.freeze([
  i('GLD', 'SPDR Gold Shares', 'bullion_etf', 'gold', 1),
  i('IAU', 'iShares Gold Trust', 'bullion_etf', 'gold', 1),
  i('GLDM', 'SPDR Gold MiniShares', 'bullion_etf', 'gold', 1),
  i('SLV', 'iShares Silver Trust', 'bullion_etf', 'silver', 1),
  i('SIVR', 'abrdn Physical Silver Shares', 'bullion_etf', 'silver', 1),
  i('PPLT', 'abrdn Physical Platinum Shares', 'bullion_etf', 'platinum', 1),
  i('PALL', 'abrdn Physical Palladium Shares', 'bullion_etf', 'palladium', 1),
  i('GDX', 'VanEck Gold Miners ETF', 'miner_etf', 'gold', 1.8),
  i('GDXJ', 'VanEck Junior Gold Miners ETF', 'miner_etf', 'gold', 2.1),
  i('SIL', 'Global X Silver Miners ETF', 'miner_etf', 'silver', 1.9),
  i('SILJ', 'Amplify Junior Silver Miners ETF', 'miner_etf', 'silver', 2.2),
  i('NEM', 'Newmont', 'miner', 'gold', 1.7),
  // Barrick Mining trades as B since May 2025 (formerly GOLD).
  i('B', 'Barrick Mining', 'miner', 'gold', 1.8),
  i('AEM', 'Agnico Eagle Mines', 'miner', 'gold', 1.6),
  i('KGC', 'Kinross Gold', 'miner', 'gold', 2.0),
  i('PAAS', 'Pan American Silver', 'miner', 'silver', 1.9),
  i('SBSW', 'Sibanye Stillwater', 'miner', 'pgm', 2.0),
  i('WPM', 'Wheaton Precious Metals', 'royalty', 'silver', 1.3),
  i('FNV', 'Franco-Nevada', 'royalty', 'gold', 1.1),
  i('RGLD', 'Royal Gold', 'royalty', 'gold', 1.2),
]);

const BROAD_EXTRA: readonly Instrument[] = [
  i('USO', 'United States Oil Fund', 'commodity_etf', 'energy', 1),
  i('BNO', 'United States Brent Oil Fund', 'commodity_etf', 'energy', 1),
  i('UNG', 'United States Natural Gas Fund', 'commodity_etf', 'energy', 1),
  i('XLE', 'Energy Select Sector SPDR', 'commodity_equity', 'energy', 0.8),
  i('XOM', 'Exxon Mobil', 'commodity_equity', 'energy', 0.7),
  i('CVX', 'Chevron', 'commodity_equity', 'energy', 0.7),
  i('DBC', 'Invesco DB Commodity Index Tracking Fund', 'commodity_etf', 'diversified', 1),
  i('GSG', 'iShares S&P GSCI Commodity-Indexed Trust', 'commodity_etf', 'diversified', 1),
  i('PDBC', 'Invesco Optimum Yield Diversified Commodity', 'commodity_etf', 'diversified', 1),
  i('DBA', 'Invesco DB Agriculture Fund', 'commodity_etf', 'agriculture', 1),
  i('CORN', 'Teucrium Corn Fund', 'commodity_etf', 'agriculture', 1),
  i('WEAT', 'Teucrium Wheat Fund', 'commodity_etf', 'agriculture', 1),
  i('SOYB', 'Teucrium Soybean Fund', 'commodity_etf', 'agriculture', 1),
  i('MOS', 'Mosaic', 'commodity_equity', 'agriculture', 1.2),
  i('NTR', 'Nutrien', 'commodity_equity', 'agriculture', 1.1),
  i('CPER', 'United States Copper Index Fund', 'commodity_etf', 'copper', 1),
  i('COPX', 'Global X Copper Miners ETF', 'commodity_equity', 'copper', 1.8),
  i('FCX', 'Freeport-McMoRan', 'commodity_equity', 'copper', 1.7),
  i('SCCO', 'Southern Copper', 'commodity_equity', 'copper', 1.5),
  i('DBB', 'Invesco DB Base Metals Fund', 'commodity_etf', 'base_metals', 1),
  i('URA', 'Global X Uranium ETF', 'commodity_equity', 'uranium', 1.5),
  i('CCJ', 'Cameco', 'commodity_equity', 'uranium', 1.6),
  i('LIT', 'Global X Lithium & Battery Tech ETF', 'commodity_equity', 'lithium', 1.4),
  i('ALB', 'Albemarle', 'commodity_equity', 'lithium', 1.7),
];

/** The 44 broad commodity instruments (`focus=broad`): the PM set plus 24 more. */
export const BROAD_UNIVERSE: readonly Instrument[] = Object.freeze([...PM_UNIVERSE, ...BROAD_EXTRA]);

/** The universe for a focus. */
export function universe(focus: Focus = 'pm'): readonly Instrument[] {
  return focus === 'broad' ? BROAD_UNIVERSE : PM_UNIVERSE;
}

const BY_SYMBOL = new Map(BROAD_UNIVERSE.map((inst) => [inst.symbol, inst]));

/** The instrument for a symbol, or undefined when it is in neither universe. */
export function instrument(symbol: string): Instrument | undefined {
  return BY_SYMBOL.get(symbol);
}

export function isFocus(value: unknown): value is Focus {
  return value === 'pm' || value === 'broad';
}
