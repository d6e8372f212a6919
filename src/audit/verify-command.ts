/**
 * Glue for `conduit audit verify`: the CLI opens the database, calls this, prints `report` and
 * exits non-zero when `ok` is false. Runs the audit migrations first so a fresh database verifies
 * as an empty, valid log instead of failing on missing tables.
 */
import type { SqlDatabase } from '../store/sql.js';
import { runMigrations } from '../store/migrations.js';
import { auditMigrations } from './schema.js';
import { verifyAuditChain, type VerifyReport } from './verify.js';

export async function runAuditVerifyCommand(db: SqlDatabase): Promise<{ ok: boolean; report: VerifyReport }> {
  await runMigrations(db, auditMigrations);
  const report = await verifyAuditChain(db);
  return { ok: report.ok, report };
}

/** One human-readable line per fact, for the CLI to print. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    report.ok ? 'audit chain OK' : 'audit chain BROKEN',
    `entries checked: ${report.entriesChecked}`,
    `head: seq ${report.head.seq} hash ${report.head.hash}`,
  ];
  if (report.anchorSeq > 0) lines.push(`retention anchor: entries up to seq ${report.anchorSeq} were deleted by policy`);
  if (report.firstBad) lines.push(`first bad seq: ${report.firstBad.seq} (${report.firstBad.reason}): ${report.firstBad.message}`);
  return lines.join('\n');
}
