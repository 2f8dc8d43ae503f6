/** The loader's findings: hard errors, warnings, and the findings `is_strict` turns into errors. */
import type { PcIssue } from './types.js';

export class Findings {
  readonly errors: PcIssue[] = [];
  readonly warnings: PcIssue[] = [];
  /** Errors under `is_strict`, warnings otherwise (process-compose's validators log them unless strict). */
  readonly strictable: PcIssue[] = [];

  error(file: string, path: string, message: string): void {
    this.errors.push({ file, path, message });
  }
  warn(file: string, path: string, message: string): void {
    this.warnings.push({ file, path, message });
  }
  strict(file: string, path: string, message: string): void {
    this.strictable.push({ file, path, message });
  }
}
