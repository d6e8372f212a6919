export {
  createAuditLog,
  GDPR_ERASE_ACTION,
  type AuditLog,
  type AuditLogOptions,
  type AuditQuery,
  type AuditPage,
  type EraseOptions,
  type RetentionResult,
} from './audit-log.js';
export { createAuditBuffer, type AuditBuffer, type AuditBufferOptions } from './audit-buffer.js';
export { verifyAuditChain, RETENTION_ACTION, type VerifyReport, type VerifyFailureReason } from './verify.js';
export { runAuditVerifyCommand, formatVerifyReport } from './verify-command.js';
export { auditMigrations } from './schema.js';
export { resolveAuditKey, AUDIT_KEY_BYTES } from './content-cipher.js';
export { canonicalJson } from './canonical-json.js';
export {
  computeEntryHash,
  computeContentHash,
  sha256Hex,
  GENESIS_HASH,
  REDACTED,
  type AuditEntry,
  type AuditEntryInput,
  type AuditContent,
  type AuditOutcome,
} from './entry.js';
