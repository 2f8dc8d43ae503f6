/**
 * process-compose reads its file twice over before it runs anything: it expands
 * every `$` from the OS environment (drone/envsubst, `$$` is a literal `$`),
 * and it renders some fields as Go templates (`{{`). A value from a manifest or
 * the environment must come out byte for byte, so we escape both. `entrypoint`
 * is not template-rendered (src/templater/templater.go), so it only needs `$$`.
 */

/** For fields process-compose does not template-render (entrypoint). */
export function escapeEnv(value: string): string {
  return value.replaceAll('$', '$$$$');
}

/** For fields it renders as Go templates too (environment, working_dir, probes, description, log_location). */
export function escapeTemplated(value: string): string {
  return escapeEnv(value.replaceAll('{{', '{{"{{"}}'));
}

/** Quote one argument for the POSIX shell process-compose runs exec probes with. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
