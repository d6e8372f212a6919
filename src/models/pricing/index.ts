export { computeCost, type ModelPrice } from './compute-cost.js';
export { createPriceTable, type PriceTable } from './price-table.js';
export { DEFAULT_PRICES, LOCAL_PROVIDERS, FREE } from './default-prices.js';
