/**
 * Linearizability checking for ringkv's per-key registers: record client operations with
 * {@link createHistoryRecorder}, then ask {@link checkHistory} whether some real-time-respecting
 * order of them matches a single-copy register (DESIGN.md section 7).
 */
export { checkHistory, type CheckOptions, type CheckResult } from "./check.js";
export {
  createHistoryRecorder,
  formatEntry,
  formatHistory,
  formatOp,
  formatResult,
  type HistoryEntry,
  type HistoryRecorder,
  type HistoryRecorderOptions,
  type RegisterOp,
  type RegisterResult,
} from "./history.js";
export { INITIAL_STATE, step, visibleVersion, type RegisterState } from "./model.js";
