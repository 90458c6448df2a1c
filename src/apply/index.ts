/** The executor's public surface, for the CLI commands and for `apply --to` (plan, then apply). */
export { executePlan, type ApplyResult, type ExecuteOptions, type ExecutorDeps } from './executor.js';
export { rollbackRun, loadRun, type RollbackOptions, type RollbackDeps, type RollbackResult } from './rollback.js';
export { listRunHistory, type HistoryEntry } from './history.js';
export { forceUnlock, holderIdentity, LOCK_NAME } from './lock.js';
export { readPlanFile } from './plan-file.js';
export { parseDuration, formatDuration } from './duration.js';
export { CheckpointStore, ConfigMapMirror, LocalRunStore, defaultStateDir } from './run-state.js';
export type { Cluster, Runner, Clock, SignalSource, Confirmer, LeasePort, ConfigMapPort } from './ports.js';
