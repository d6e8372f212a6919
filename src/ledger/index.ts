export { createUsageLedger, type UsageLedger, type UsageLedgerOptions } from './usage-ledger.js';
export { createLedgerBuffer, type LedgerBuffer, type LedgerBufferOptions } from './ledger-buffer.js';
export { LEDGER_MIGRATIONS, LEDGER_TABLE } from './ledger-migrations.js';
export type { UsageEvent, UsageStatus } from './usage-event.js';
export type { SpendFilter, SpendGroupBy, SpendQuery, SpendRange, SpendRow, SpendTotals } from './spend-query.js';
