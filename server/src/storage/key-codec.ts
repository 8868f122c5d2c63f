import { createHash } from "node:crypto";

/**
 * LMDB keys are at most 1978 bytes, but ringkv accepts keys up to 4 KiB. Keys up to
 * {@link maxExactKeyBytes} are stored as their UTF-8 bytes (exact byte order). Longer keys are
 * stored as their first {@link maxExactKeyBytes} bytes followed by a SHA-256 of the whole key;
 * the full key is kept inside the record. Consequence, documented in the README: long keys that
 * share their first 1946 bytes sort among themselves by hash, not by their tails.
 */
export const maxExactKeyBytes = 1946;

const hashBytes = 32;

/** The storage key for a user key (at most 1978 bytes). */
export function encodeStorageKey(key: string): Uint8Array {
  const bytes = Buffer.from(key, "utf8");
  if (bytes.length <= maxExactKeyBytes) return bytes;
  const digest = createHash("sha256").update(bytes).digest();
  return Buffer.concat([bytes.subarray(0, maxExactKeyBytes), digest], maxExactKeyBytes + hashBytes);
}

/** Whether a storage key was shortened, so the user key must be read from the record. */
export function isShortenedStorageKey(storageKey: Uint8Array): boolean {
  return storageKey.byteLength > maxExactKeyBytes;
}

/** The user key of an exact (not shortened) storage key. */
export function decodeExactStorageKey(storageKey: Uint8Array): string {
  return Buffer.from(storageKey.buffer, storageKey.byteOffset, storageKey.byteLength).toString("utf8");
}

/** The byte prefix to scan for a user-key prefix (long prefixes are cut; callers filter). */
export function encodeScanPrefix(prefix: string): Uint8Array {
  const bytes = Buffer.from(prefix, "utf8");
  return bytes.length <= maxExactKeyBytes ? bytes : bytes.subarray(0, maxExactKeyBytes);
}
