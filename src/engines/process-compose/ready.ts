/**
 * process-compose pushes nothing: "is the stack up?" is asked of its REST API
 * (GET /processes) every 50 ms and judged by the built-in engine's rules
 * (judge.ts). Its own probes still run on their whole-second periods: this only
 * notices sooner what it knows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlClient } from '../../control/client.js';
import { readState, runningGroups, writeState } from '../../control/state-file.js';
import type { ComposeDoc } from '../../compose/schema.js';
import type { ProcessState } from '../../engine/index.js';
import { isSameProcess } from '../../support/proc.js';
import type { ReadyResult } from '../engine.js';
import { judgePcStates } from './judge.js';

/** A running process-compose: its pid and its API. */
export interface PcStack {
  readonly pid: number;
  readonly client: ControlClient;
  /** Resolves with process-compose's exit code (and keeps us alive until then). */
  exited(): Promise<number>;
}

const READY_POLL_MS = 50;

export async function waitProcessCompose(stack: PcStack, doc: ComposeDoc, targets: readonly string[], timeoutMs: number): Promise<ReadyResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isSameProcess({ pid: stack.pid })) return failure(stack, targets[0] ?? '', 'process-compose exited before the stack was up');
    let states: ProcessState[];
    try {
      states = await stack.client.processes();
    } catch {
      states = []; // not listening yet
    }
    const verdict = judgePcStates(doc, targets, states);
    if (verdict.kind === 'failed') return failure(stack, verdict.name, verdict.message);
    if (verdict.kind === 'ok') return { ok: true, outcomes: verdict.outcomes };
    if (Date.now() > deadline) return failure(stack, verdict.waiting, `${verdict.waiting} was not ready within ${timeoutMs / 1000} s`);
    await sleep(READY_POLL_MS);
  }
}

async function failure(stack: PcStack, name: string, message: string): Promise<ReadyResult> {
  const lastLines = await stack.client.logs(name, 20).catch(() => []);
  return { ok: false, name, message, lastProbeError: null, lastLines };
}

/** Record the pids process-compose reports, for `core down` and the guardian. */
export function recordProcesses(stateFile: string, states: readonly ProcessState[]): void {
  const state = readState(stateFile);
  if (state) writeState(stateFile, { ...state, processes: runningGroups(states) });
}
