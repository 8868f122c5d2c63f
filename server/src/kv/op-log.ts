import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";

/** One write recorded in a register's recent op ids. */
export interface OpEntry {
  id: string;
  /** The register version the write produced. */
  version: bigint;
  /** Unix millis when it was applied. */
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
