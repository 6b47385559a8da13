/**
 * The risk tier vocabulary as surfaces use it (gateway validation, the web
 * terminal's ordering, the tier gauge): one ladder, defined by the risk
 * governor, re-exported here so surfaces need not reach into actors/.
 */
export { TIERS, isTier, tierRank, type Tier } from '../actors/risk/tiers.js';
