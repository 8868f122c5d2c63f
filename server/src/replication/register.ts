import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { ringkvError } from "../errors.js";
import { emptyBytes } from "../net/proto-wire.js";

/**
 * The replicated register of one key and the changes a CASPaxos round applies to it. Every
 * client operation is a pure change function `current -> next`: Put sets, Delete leaves a
 * tombstone, Get is the identity (a linearizable read when run through a round), and an expected
 * version turns Put or Delete into a compare-and-set.
 *
 * `version` counts every effective write and delete and keeps counting across deletes (the
 * tombstone carries it), so a key re-created after a delete continues at tombstone + 1 and a
 * version names one state of the key for its whole life. Clients see {@link visibleVersion}.
 */

/**
 * A change to a register. Pure and deterministic: the proposer may call it more than once (once
 * per attempt) and relies on equal inputs giving equal outputs. Throwing a RingkvError (e.g.
 * `version_mismatch`) fails the operation with that error once the current state is confirmed.
 */
export type Change = (current: RegisterState) => RegisterState;

/** Largest version: a write beyond it fails instead of wrapping around the uint64. */
export const maxVersion = 2n ** 64n - 1n;

/** The state of a key that was never written: absent, version 0. */
export function emptyRegister(): RegisterState {
  return registerState({ exists: false, value: emptyBytes, binary: false, version: 0n, deletedAtMs: 0n });
}

/** The fields a change sets; the op-id log starts empty (kv/idempotent.ts fills it). */
export type RegisterFields = Pick<RegisterState, "exists" | "value" | "binary" | "version" | "deletedAtMs">;

/**
 * A RegisterState written as a literal. protobuf-es's `create()` builds a message by reflection
 * (a loop over the descriptor's fields, a zero value for each, then the initializer copied in):
 * ~0.6 µs for this message against a few ns for the literal (measured in a loop on this machine),
 * and every write makes one. The message type names every field, so a field added to the proto
 * does not compile here until it is given its zero value.
 */
export function registerState(fields: RegisterFields): RegisterState {
  return {
    $typeName: "ringkv.internal.v1.RegisterState",
    exists: fields.exists,
    value: fields.value,
    binary: fields.binary,
    version: fields.version,
    deletedAtMs: fields.deletedAtMs,
    recentOps: [],
    opsForgottenThrough: 0n,
    recentOpsPacked: emptyBytes,
  };
}

/** The version clients see: the stored one while the key exists, 0 when absent or deleted. */
export function visibleVersion(state: RegisterState): bigint {
  return state.exists ? state.version : 0n;
}

/** A deleted key that still carries its version (version > 0, not existing). */
export function isTombstone(state: RegisterState): boolean {
  return !state.exists && state.version > 0n;
}

/** Field-by-field equality (value bytes included). */
export function registerEquals(a: RegisterState, b: RegisterState): boolean {
  if (a === b) return true;
  if (a.exists !== b.exists || a.binary !== b.binary || a.version !== b.version || a.deletedAtMs !== b.deletedAtMs) {
    return false;
  }
  if (a.value.length !== b.value.length) return false;
  for (let i = 0; i < a.value.length; i++) {
    if (a.value[i] !== b.value[i]) return false;
  }
  return true;
}

/**
 * Throws `version_mismatch` (with details.currentVersion) unless the visible version equals
 * `expectedVersion`; `undefined` means "no condition" and 0 means "only if absent".
 */
export function checkExpectedVersion(current: RegisterState, expectedVersion: bigint | undefined): void {
  if (expectedVersion === undefined) return;
  const actual = visibleVersion(current);
  if (actual === expectedVersion) return;
  const what = actual === 0n ? "the key does not exist (version 0)" : `its current version is ${actual}`;
  throw ringkvError("version_mismatch", `version mismatch: expected version ${expectedVersion}, but ${what}`, {
    currentVersion: actual,
  });
}

function nextVersion(current: RegisterState): bigint {
  if (current.version >= maxVersion) {
    throw ringkvError("invalid_argument", `the key's version counter is exhausted (${current.version})`);
  }
  return current.version + 1n;
}

/** Options of {@link putChange}. */
export interface PutChangeOptions {
  value: Uint8Array;
  /** The value was sent as bytes rather than text (default false). */
  binary?: boolean;
  /** Compare-and-set: the visible version the key must have (0 = only if absent). */
  expectedVersion?: bigint;
}

/** Put: the new value at version + 1. */
export function putChange(options: PutChangeOptions): Change {
  const { value, binary = false, expectedVersion } = options;
  return (current) => {
    checkExpectedVersion(current, expectedVersion);
    return registerState({ exists: true, value, binary, version: nextVersion(current), deletedAtMs: 0n });
  };
}

/** Options of {@link deleteChange}. */
export interface DeleteChangeOptions {
  /**
   * When the delete happened (Unix ms), recorded in the tombstone for garbage collection.
   * Taken once per operation, not per attempt, so that retries propose the same tombstone.
   */
  nowMs: number;
  /** Compare-and-set: the visible version the key must have. */
  expectedVersion?: bigint;
}

/** Delete: a tombstone at version + 1; a key that does not exist is left unchanged. */
export function deleteChange(options: DeleteChangeOptions): Change {
  const { nowMs, expectedVersion } = options;
  return (current) => {
    checkExpectedVersion(current, expectedVersion);
    if (!current.exists) return current;
    return registerState({ exists: false, value: emptyBytes, binary: false, version: nextVersion(current), deletedAtMs: BigInt(Math.trunc(nowMs)) });
  };
}

/** Get: the identity. Run through a full round it is a linearizable read. */
export const readChange: Change = (current) => current;
