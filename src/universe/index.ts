export { PM_UNIVERSE, BROAD_UNIVERSE, universe, instrument, isFocus } from './instruments.js';
export type { Instrument, Focus, AssetClass, Metal } from './instruments.js';
