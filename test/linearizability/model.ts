import type { RegisterOp, RegisterResult } from "./history.js";

/**
 * The sequential specification of one key: what a single-copy register with versions and
 * compare-and-set would answer. The checker asks whether some ordering of the recorded
 * operations, one that respects real time, makes every answer equal this model's answer.
 *
 * `version` counts every effective write and delete and survives deletes (the tombstone keeps
 * it), so a key re-created after a delete continues from tombstone version + 1. That makes
 * versions unique per key for its whole life, which is what lets the checker pin down ordering
 * and catch lost or duplicated writes that a value-only register would miss.
 */
export interface RegisterState {
  readonly exists: boolean;
  /** Current value; "" while the key does not exist. */
  readonly value: string;
  /** Last assigned version, including the tombstone's when the key was deleted. */
  readonly version: bigint;
}

/** A key that was never written. */
export const INITIAL_STATE: RegisterState = Object.freeze({ exists: false, value: "", version: 0n });

/** The version clients see: the stored one while the key exists, 0 otherwise (also after delete). */
export function visibleVersion(state: RegisterState): bigint {
  return state.exists ? state.version : 0n;
}

/** Applies `op` to `state` sequentially: the next state and the answer the client must get. */
export function step(state: RegisterState, op: RegisterOp): { state: RegisterState; result: RegisterResult } {
  const visible = visibleVersion(state);
  switch (op.type) {
    case "get":
      return {
        state,
        result: state.exists
          ? { type: "get", found: true, value: state.value, version: visible }
          : { type: "get", found: false, version: 0n },
      };
    case "put": {
      if (op.expectedVersion !== undefined && op.expectedVersion !== visible) {
        return { state, result: { type: "cas-failed", currentVersion: visible } };
      }
      const version = state.version + 1n;
      return { state: { exists: true, value: op.value, version }, result: { type: "put", version } };
    }
    case "delete": {
      if (op.expectedVersion !== undefined && op.expectedVersion !== visible) {
        return { state, result: { type: "cas-failed", currentVersion: visible } };
      }
      if (!state.exists) return { state, result: { type: "delete", found: false } };
      return { state: { exists: false, value: "", version: state.version + 1n }, result: { type: "delete", found: true } };
    }
  }
}

/**
 * Whether what the client saw equals the model's answer. A get that did not find the key carries
 * no value, so any `value` field on it is ignored.
 */
export function sameResult(observed: RegisterResult, expected: RegisterResult): boolean {
  switch (expected.type) {
    case "get":
      return observed.type === "get"
        && observed.found === expected.found
        && observed.version === expected.version
        && (!expected.found || observed.value === expected.value);
    case "put":
      return observed.type === "put" && observed.version === expected.version;
    case "delete":
      return observed.type === "delete" && observed.found === expected.found;
    case "cas-failed":
      return observed.type === "cas-failed" && observed.currentVersion === expected.currentVersion;
    case "unknown":
      return observed.type === "unknown";
  }
}

/**
 * The state after `op` takes effect in `state` with the client having seen `observed`, or
 * `undefined` when the model would have answered differently. An "unknown" answer accepts any
 * outcome, so it only moves the state.
 */
export function apply(state: RegisterState, op: RegisterOp, observed: RegisterResult): RegisterState | undefined {
  const next = step(state, op);
  if (observed.type === "unknown") return next.state;
  return sameResult(observed, next.result) ? next.state : undefined;
}

/** Equal states give equal keys; used to memoize explored configurations. */
export function stateKey(state: RegisterState): string {
  return `${state.exists ? "+" : "-"}${state.version}:${state.value}`;
}

/** `{exists "a" v3}`, `{absent, tombstone v4}` or `{absent, never written}`, for failure messages. */
export function formatState(state: RegisterState): string {
  if (state.exists) return `{exists ${JSON.stringify(state.value)} v${state.version}}`;
  return state.version === 0n ? "{absent, never written}" : `{absent, tombstone v${state.version}}`;
}
