import { create } from "@bufbuild/protobuf";
import { RegisterStateSchema, type RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { ringkvError } from "../errors.js";

/**
 * A change to one key's register: every operation (Put, Delete, Get, CAS) is one of these,
 * applied by the key's coordinator, locally or through a CASPaxos round. Pure: it returns the
 * next state or throws a RingkvError (e.g. a CAS mismatch), and may be applied more than once.
 */
export type Change = (current: RegisterState) => RegisterState;

/** Largest version: a write beyond it fails instead of wrapping. */
export const maxVersion = 2n ** 64n - 1n;

/** The version clients see: 0 for a missing or deleted key. */
export function visibleVersion(state: RegisterState): bigint {
  return state.exists ? state.version : 0n;
}

function checkExpected(current: RegisterState, expectedVersion: bigint | undefined): void {
  if (expectedVersion === undefined) return;
  const actual = visibleVersion(current);
  if (actual !== expectedVersion) {
    const what = actual === 0n ? "the key does not exist (version 0)" : `its current version is ${actual}`;
    throw ringkvError("version_mismatch", `version mismatch: expected version ${expectedVersion}, but ${what}`, { currentVersion: actual });
  }
}

function nextVersion(current: RegisterState): bigint {
  if (current.version >= maxVersion) {
    throw ringkvError("invalid_argument", `the key's version counter is exhausted (${current.version}); delete is not possible either: write a new key`);
  }
  return current.version + 1n;
}

/** Put: replace the value (CAS when expectedVersion is given; 0 = only if absent). */
export function putChange(value: Uint8Array, binary: boolean, expectedVersion?: bigint): Change {
  return (current) => {
    checkExpected(current, expectedVersion);
    return create(RegisterStateSchema, { exists: true, value, binary, version: nextVersion(current), deletedAtMs: 0n });
  };
}

/** Delete: leave a tombstone (CAS when expectedVersion is given); a missing key is left as is. */
export function deleteChange(nowMs: number, expectedVersion?: bigint): Change {
  return (current) => {
    checkExpected(current, expectedVersion);
    if (!current.exists) return current;
    return create(RegisterStateSchema, { exists: false, version: nextVersion(current), deletedAtMs: BigInt(nowMs) });
  };
}

/** Get: the identity change; run through a round it is a linearizable read. */
export const readChange: Change = (current) => current;
