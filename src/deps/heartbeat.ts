/** A long step says it is still alive: `onBeat(elapsedMs)` every `intervalMs` until stopped. */
export function startHeartbeat(intervalMs: number, onBeat: (elapsedMs: number) => void): () => void {
  const started = Date.now();
  const timer = setInterval(() => onBeat(Date.now() - started), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** 4 s, 1m05s, 12m00s. */
export function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
