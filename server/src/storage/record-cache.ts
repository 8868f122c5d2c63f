import type { AcceptorRecord } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";

/**
 * Decoded records of recently used keys, holding only what the engine made durable (see
 * record-store.ts for why it exists). A write takes the key out when it is issued and puts the
 * new record in when the engine reports it durable, unless a newer write to the key was issued
 * meanwhile; while a write is in flight, reads neither hit nor fill.
 */
export interface RecordCache {
  get(key: string): AcceptorRecord | undefined;
  /** After a read from the engine: keeps the record unless a write to the key is in flight. */
  fill(key: string, record: AcceptorRecord): void;
  /** A write (or remove) of the key was issued; returns its ticket for {@link settled}. */
  issued(key: string): number;
  /** That write is durable (`record`: the new record) or failed or was a remove (undefined). */
  settled(key: string, ticket: number, record: AcceptorRecord | undefined): void;
  clear(): void;
}

/**
 * Creates a {@link RecordCache} of about `capacity` records (between half and all of it).
 *
 * Why not an exact LRU: evicting from a JavaScript Map in insertion order under steady churn
 * (every write of a new key) walks over the deleted slots at the front of the Map on each
 * eviction until the Map rehashes, which doubled the cost of a bulk write. Two generations
 * instead: new and recently read records go into the young Map; when it holds half the
 * capacity it becomes the old one and the previous old Map is dropped whole. A record read
 * from the old Map moves back to the young one, so a hot key stays.
 */
export function createRecordCache(capacity: number): RecordCache {
  const half = Math.max(1, Math.floor(capacity / 2));
  let young = new Map<string, AcceptorRecord>();
  let old = new Map<string, AcceptorRecord>();
  /** Keys with a write in flight: the ticket of the newest one. */
  const inFlight = new Map<string, number>();
  let tickets = 0;

  function put(key: string, record: AcceptorRecord): void {
    young.set(key, record);
    if (young.size >= half) {
      old = young;
      young = new Map();
    }
  }

  return {
    get(key) {
      const hit = young.get(key);
      if (hit !== undefined) return hit;
      const older = old.get(key);
      if (older !== undefined) {
        old.delete(key);
        put(key, older);
      }
      return older;
    },
    fill(key, record) {
      if (!inFlight.has(key)) put(key, record);
    },
    issued(key) {
      const ticket = ++tickets;
      inFlight.set(key, ticket);
      young.delete(key);
      old.delete(key);
      return ticket;
    },
    settled(key, ticket, record) {
      if (inFlight.get(key) !== ticket) return;
      inFlight.delete(key);
      if (record !== undefined) put(key, record);
    },
    clear() {
      young.clear();
      old.clear();
    },
  };
}
