/**
 * The built-in engine's public API. Typical use (the composition root of `core up`):
 *
 *   const engine = createSupervisor({ doc, baseEnv: settings.env, logDir });
 *   const unsubscribe = engine.subscribe(logger.log);       // every event, output included
 *   engine.journal.follow(seq, (record) => …);             // numbered state changes (core events)
 *   engine.start(names);                                   // names + their dependencies
 *   const result = await engine.waitReady(names, { timeoutMs: 60_000 });
 *   if (!result.ok) report(result.message, result.lastProbeError, result.lastLines);
 *   engine.snapshot();                                     // process-compose ProcessState[]
 *   await engine.stop();                                   // dependents first; SIGKILL after timeout
 */
export { createSupervisor, Supervisor } from './supervisor.js';
export type { ProjectExit, StartResult, SupervisorOptions } from './supervisor.js';
export type { ApplyRequest, ApplyResult, ReloadFailure, Reloaded } from './apply.js';
export { diffStacks, namesOf } from './diff.js';
export type { DiffSide, ProcessDiff, ProcessInputs, StackDiff } from './diff.js';
export type { ApplyEvent, ControllerEvent, EngineEvent, EventBody, EventListener, ProcessEvent } from './events.js';
export { EventBus } from './event-bus.js';
export type { Listener, Unsubscribe } from './event-bus.js';
export { EVENT_VERSION, isRecorded, toRecord } from './event-record.js';
export type { EventRecord, ProcessFacts } from './event-record.js';
export { DEFAULT_JOURNAL_CAPACITY, EventJournal } from './journal.js';
export type { JournalPage } from './journal.js';
export type { ProcessState, ProcessStatus } from './snapshot.js';
export type { NotReadyReason, ProcessOutcome, WaitReadyOptions, WaitReadyResult } from './wait-ready.js';
export { awaitedToComplete } from './wait-ready.js';
export type {
  Child,
  ChildExit,
  Clock,
  LogFile,
  OpenLog,
  ProbeResult,
  ProbeSpec,
  Prober,
  SpawnResult,
  SpawnSpec,
  Spawner,
  Stream,
  TimerHandle,
} from './interfaces.js';
export { realClock } from './interfaces.js';
export { realSpawner } from './real-spawner.js';
export { realProber } from './probes.js';
export { DEFAULT_LOG_MAX_BYTES, fileLogs, LineRing, openRotatingLog } from './logs.js';
export type { OnDropped } from './logs.js';
export { pcLogFiles } from './pc-log/sink.js';
export type { OpenPcLog, PcLog, PcLogOptions } from './pc-log/sink.js';
export {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  FAST_FIRST_MS,
  FAST_GROWTH,
  FAST_MAX_EXEC_MS,
  FAST_MAX_MS,
  MAX_BACKOFF_MS,
  STABLE_RUN_MS,
} from './policy.js';
