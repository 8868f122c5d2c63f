import { clone } from "@bufbuild/protobuf";
import { AcceptorRecordSchema, BallotSchema, type AcceptorRecord, type Ballot } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { AcceptorStore, MemoryAcceptorStore } from "../../server/src/replication/index.js";
import type { Prng } from "./prng.js";
import type { Scheduler } from "./scheduler.js";

/** A node's disk as one incarnation of its acceptor sees it. */
export interface SimDisk extends AcceptorStore {
  /**
   * The process dies: each write still in flight is either on the platter or not (a coin flip,
   * as with a real fsync that had not returned), and its promise never settles.
   */
  crash(): void;
}

/** Options of {@link createSimDisk}. */
export interface SimDiskOptions {
  /** What survives crashes: shared by every incarnation of the node. */
  platter: MemoryAcceptorStore;
  scheduler: Scheduler;
  prng: Prng;
  /** Mean time for a write to become durable, ms (exponential). */
  meanWriteMs: number;
}

/**
 * Durable storage with latency and crash semantics: a write reaches `platter` (and resolves)
 * only after a simulated fsync; a crash in between may or may not keep it. Reads see the
 * platter, i.e. only what was made durable, which is the most an acceptor restarted after a
 * crash could see.
 */
export function createSimDisk(options: SimDiskOptions): SimDisk {
  const { platter, scheduler, prng, meanWriteMs } = options;
  const inFlight = new Set<{ apply: () => Promise<void>; cancel: () => void }>();
  let crashed = false;

  function durable(apply: () => Promise<void>): Promise<void> {
    if (crashed) return new Promise<void>(() => {});
    return new Promise<void>((resolve) => {
      const entry = {
        apply,
        cancel: scheduler.after(prng.exponential(meanWriteMs), () => {
          inFlight.delete(entry);
          void apply().then(resolve);
        }),
      };
      inFlight.add(entry);
    });
  }

  return {
    read: (key) => platter.read(key),
    readFloor: () => platter.readFloor(),
    write(key: string, record: AcceptorRecord) {
      const copy = clone(AcceptorRecordSchema, record);
      return durable(() => platter.write(key, copy));
    },
    remove: (key: string) => durable(() => platter.remove(key)),
    writeFloor(floor: Ballot) {
      const copy = clone(BallotSchema, floor);
      return durable(() => platter.writeFloor(copy));
    },
    crash() {
      crashed = true;
      for (const entry of inFlight) {
        entry.cancel();
        if (prng.chance(0.5)) void entry.apply();
      }
      inFlight.clear();
    },
  };
}
