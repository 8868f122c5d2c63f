import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";

/** One write recorded in a register's recent op ids. */
export interface OpEntry {
  id: string;
  /** The register version the write produced. */
  version: bigint;
  /** Unix millis its life (opMemoryMs) counts from: set so that it outlives its write's retries (idempotent.ts). */
  atMs: number;
}

/**
 * Reads RegisterState.recent_ops_packed: (version uint64, at_ms int64, id string) repeated,
 * untagged. Unreadable bytes read as no entries: the log only ever narrows what a retry may
 * assume, and an empty log makes the proposer conservative, never wrong.
 */
export function unpackOps(bytes: Uint8Array): OpEntry[] {
  const out: OpEntry[] = [];
  if (bytes.byteLength === 0) return out;
  try {
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const version = BigInt(reader.uint64());
      const atMs = Number(reader.int64());
      const id = reader.string();
      out.push({ id, version, atMs });
    }
  } catch {
    return [];
  }
  return out;
}

/** Writes entries in the format {@link unpackOps} reads. */
export function packOps(entries: readonly OpEntry[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const e of entries) writer.uint64(e.version).int64(e.atMs).string(e.id);
  return writer.finish();
}

/** Where one entry of a packed log lies, with its time read and its version and id left as bytes. */
export interface PackedEntry {
  start: number;
  end: number;
  /** The version's varint: read with {@link versionOf} when needed. */
  versionStart: number;
  versionEnd: number;
  atMs: number;
  idStart: number;
  idEnd: number;
}

const utf8 = new TextEncoder();

/** An op id's bytes as the packed log stores them; computed once per write. */
export function opIdBytes(id: string): Uint8Array {
  return utf8.encode(id);
}

/**
 * The entries of a packed log without decoding a single id or making a BigInt: a write on a
 * hot key carries up to 96 entries (idempotent.ts), and decoding and re-encoding all of them
 * was a third of a single-node Put's CPU. Unreadable bytes read as no entries, as in
 * {@link unpackOps}.
 */
export function scanPacked(bytes: Uint8Array): PackedEntry[] {
  const out: PackedEntry[] = [];
  let pos = 0;
  const len = bytes.byteLength;
  /** A varint as a Number (exact below 2^53, which times and lengths are); -1 if malformed. */
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= len) return -1;
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return -1;
  };
  while (pos < len) {
    const start = pos;
    if (varint() < 0) return [];
    const versionEnd = pos;
    const atMs = varint();
    const idLength = varint();
    if (atMs < 0 || idLength < 0 || pos + idLength > len) return [];
    const idStart = pos;
    pos += idLength;
    out.push({ start, end: pos, versionStart: start, versionEnd, atMs, idStart, idEnd: pos });
  }
  return out;
}

/** The register version an entry records (exact at any size). */
export function versionOf(bytes: Uint8Array, entry: PackedEntry): bigint {
  return BigInt(new BinaryReader(bytes.subarray(entry.versionStart, entry.versionEnd)).uint64());
}

/** Whether the entry's id is exactly `id` (its bytes, from {@link opIdBytes}). */
export function entryHasId(bytes: Uint8Array, entry: PackedEntry, id: Uint8Array): boolean {
  if (entry.idEnd - entry.idStart !== id.byteLength) return false;
  // Backwards: ids of one node share their prefix and differ in the counter at the end.
  for (let i = id.byteLength - 1; i >= 0; i--) if (bytes[entry.idStart + i] !== id[i]) return false;
  return true;
}

/**
 * A new log: one new entry first, then the given entries of `bytes` copied as they are (in
 * order, adjacent ones in one copy).
 */
export function prependOp(entry: { version: bigint; atMs: number; id: Uint8Array }, bytes: Uint8Array, kept: readonly PackedEntry[]): Uint8Array {
  const head = new BinaryWriter().uint64(entry.version).int64(entry.atMs).bytes(entry.id).finish();
  return joinEntries(head, bytes, kept);
}

/** The packed log holding only `kept` (entries of `bytes`, in order), copied as byte ranges. */
export function retainOps(bytes: Uint8Array, kept: readonly PackedEntry[]): Uint8Array {
  return joinEntries(new Uint8Array(0), bytes, kept);
}

/** `head` followed by the kept entries' bytes, adjacent entries copied as one range. */
function joinEntries(head: Uint8Array, bytes: Uint8Array, kept: readonly PackedEntry[]): Uint8Array {
  let keptBytes = 0;
  for (const e of kept) keptBytes += e.end - e.start;
  const out = new Uint8Array(head.byteLength + keptBytes);
  out.set(head, 0);
  let at = head.byteLength;
  for (let i = 0; i < kept.length; ) {
    const from = kept[i]!.start;
    let to = kept[i]!.end;
    for (i++; i < kept.length && kept[i]!.start === to; i++) to = kept[i]!.end;
    out.set(bytes.subarray(from, to), at);
    at += to - from;
  }
  return out;
}
