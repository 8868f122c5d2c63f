/**
 * Linearizability checking for ringkv's per-key registers: record client operations with
 * {@link createHistoryRecorder}, then ask {@link checkHistory} whether some real-time-respecting
 * order of them matches a single-copy register (DESIGN.md section 7).
 *
 * ```ts
 * const recorder = createHistoryRecorder();
 * const done = recorder.record("client-1", key, { type: "put", value: "client-1-17" });
 * try {
 *   const reply = await client.put({ key, value });
 *   done({ type: "put", version: reply.version });
 * } catch (err) {
 *   // A deadline or an unavailable node: the write may still happen. A definite refusal
 *   // (a CAS conflict) is recorded as what it is, e.g. { type: "cas-failed", currentVersion }.
 *   done({ type: "unknown" });
 * }
 * // ...after the run:
 * const verdict = checkHistory(recorder.entries());
 * if (verdict.ok !== true) throw new Error(verdict.ok === false ? verdict.reason : `timeout on ${verdict.key}`);
 * ```
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
