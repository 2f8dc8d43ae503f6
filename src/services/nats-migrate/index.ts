/** Carry JetStream streams from one NATS topology to another: export to a backup folder, import from it. */
export { type BackupIndex, type BackupStream, migrationsDir, readBackupIndex } from './backup.js';
export { type ExportOptions, type ExportResult, exportStreams, MigrationError } from './export.js';
export { type ImportOptions, type ImportResult, importStreams } from './import.js';
