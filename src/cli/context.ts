/** What every command gets from the entry point; nothing reads process.env directly. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** argv that runs this very `core` (node + entry), for processes the stack spawns. */
  readonly self: readonly string[];
}
