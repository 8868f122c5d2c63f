import { create } from "@bufbuild/protobuf";
import {
  KeyValueSchema,
  ListResponseSchema,
  type ListRequest,
  type ListResponse,
} from "@ringkv/gen/kvstore/kvstore_pb.js";
import {
  ScanLocalEntrySchema,
  ScanLocalRequestSchema,
  ScanLocalResponseSchema,
  type RegisterState,
  type ScanLocalEntry,
  type ScanLocalRequest,
  type ScanLocalResponse,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { RingkvError, ringkvError } from "../errors.js";
import { decodeUtf8OrEmpty } from "../kv/text.js";
import { maxKeyBytes, validateKey } from "../kv/validate.js";
import { encodeStorageKey } from "../storage/key-codec.js";
import type { RecordStore } from "../storage/record-store.js";
import type { CallInfo } from "./call-context.js";
import type { Forwarder } from "./forwarder.js";
import type { Membership } from "./membership.js";

export const defaultListLimit = 100;
export const maxListLimit = 1000;

/** Options of {@link createLister}. */
export interface ListerOptions {
  membership: Membership;
  forwarder: Forwarder;
  store: RecordStore;
}

/** Cluster-wide, paged, key-ordered listing. */
export interface Lister {
  /** Answers KeyValueService.List by merging every member's local scan. */
  list(req: ListRequest, info: CallInfo): Promise<ListResponse>;
  /** Answers PeerService.ScanLocal from this node's storage. */
  scanLocal(req: ScanLocalRequest): ScanLocalResponse;
}

/**
 * List asks every member for its next keys after the page token (PeerService.ScanLocal,
 * tombstones included), keeps the highest version of each key across replicas, drops deleted
 * keys and cuts the page where every node's answer is still complete. It reads replicas'
 * local state: a List is not linearizable (it may miss a write still in flight), unlike Get.
 */
export function createLister(options: ListerOptions): Lister {
  const { membership, forwarder, store } = options;

  function scanLocal(req: ScanLocalRequest): ScanLocalResponse {
    const limit = Math.min(req.limit || defaultListLimit, maxListLimit + 1);
    const entries = store.scan({
      prefix: req.prefix,
      ...(req.startAfter !== "" ? { startAfter: req.startAfter } : {}),
      limit: limit + 1,
      includeDeleted: req.includeDeleted,
    });
    const more = entries.length > limit;
    return create(ScanLocalResponseSchema, {
      more,
      entries: entries.slice(0, limit).map(({ key, record }) =>
        create(ScanLocalEntrySchema, {
          key,
          ...(record.state ? { state: req.keysOnly ? { ...record.state, value: new Uint8Array() } : record.state } : {}),
        }),
      ),
    });
  }

  return {
    scanLocal,
    async list(req, info) {
      if (req.prefix !== "" && Buffer.byteLength(req.prefix, "utf8") > maxKeyBytes) validateKey(req.prefix, "prefix");
      if (!req.prefix.isWellFormed()) throw ringkvError("invalid_argument", "prefix is not valid UTF-8");
      if (req.limit > maxListLimit) throw ringkvError("invalid_argument", `limit ${req.limit} is above the maximum of ${maxListLimit}`);
      const limit = req.limit || defaultListLimit;
      const startAfter = decodePageToken(req.pageToken, req.prefix);
      const scanReq = { prefix: req.prefix, startAfter, limit: limit + 1, keysOnly: req.keysOnly, includeDeleted: true };

      const members = membership.members();
      const answers = await Promise.all(
        members.map(async (m) => {
          try {
            if (m.self) return scanLocal(create(ScanLocalRequestSchema, scanReq));
            return await forwarder.call(m.id, info, (peer, callOptions) => peer.peer.scanLocal(scanReq, callOptions));
          } catch (err) {
            if (err instanceof RingkvError && err.reason === "peer_unavailable") return err;
            throw err;
          }
        }),
      );
      const failed = answers.filter((a): a is RingkvError => a instanceof RingkvError);
      if (failed.length >= membership.replicationFactor) {
        throw ringkvError(
          "peer_unavailable",
          `List cannot be complete: with ${membership.replicationFactor} replica(s) per key it tolerates ${membership.replicationFactor - 1} unreachable node(s), and ${failed.length} are unreachable: ${failed.map((f) => f.message).join("; ")}`,
        );
      }
      const pages = answers.filter((a): a is ScanLocalResponse => !(a instanceof RingkvError));
      return mergePages(pages, limit);
    },
  };
}

/**
 * Merges sorted per-node pages: newest version of each key wins, tombstones drop out, and the
 * page ends no later than the smallest last key of any node that has more.
 */
export function mergePages(pages: readonly ScanLocalResponse[], limit: number): ListResponse {
  const newest = new Map<string, ScanLocalEntry>();
  let cutoff: Buffer | undefined;
  for (const page of pages) {
    for (const entry of page.entries) {
      const seen = newest.get(entry.key);
      if (seen === undefined || (entry.state?.version ?? 0n) > (seen.state?.version ?? 0n)) newest.set(entry.key, entry);
    }
    const last = page.entries[page.entries.length - 1];
    if (page.more && last !== undefined) {
      const lastKey = Buffer.from(encodeStorageKey(last.key));
      if (cutoff === undefined || Buffer.compare(lastKey, cutoff) < 0) cutoff = lastKey;
    }
  }
  const sorted = [...newest.values()]
    .map((e) => ({ e, k: Buffer.from(encodeStorageKey(e.key)) }))
    .filter(({ k }) => cutoff === undefined || Buffer.compare(k, cutoff) <= 0)
    .sort((a, b) => Buffer.compare(a.k, b.k));
  const items = [];
  let lastKey: string | undefined;
  let truncated = false;
  for (const { e } of sorted) {
    lastKey = e.key;
    if (!e.state?.exists) continue;
    if (items.length === limit) {
      truncated = true;
      break;
    }
    items.push(toKeyValue(e.key, e.state));
  }
  const hasMore = truncated || cutoff !== undefined;
  const nextKey = truncated ? items[items.length - 1]?.key : lastKey;
  return create(ListResponseSchema, { items, nextPageToken: hasMore && nextKey !== undefined ? encodePageToken(nextKey) : "" });
}

function toKeyValue(key: string, state: RegisterState) {
  return create(KeyValueSchema, {
    key,
    version: state.version,
    binary: state.binary,
    value: state.binary ? decodeUtf8OrEmpty(state.value) : Buffer.from(state.value).toString("utf8"),
    ...(state.binary ? { valueBytes: state.value } : {}),
  });
}

/** Page tokens are the last key of the previous page, base64url-encoded (opaque to clients). */
export function encodePageToken(lastKey: string): string {
  return Buffer.from(lastKey, "utf8").toString("base64url");
}

/** Decodes and checks a page token; it must belong to the same prefix. */
export function decodePageToken(token: string, prefix: string): string {
  if (token === "") return "";
  const key = Buffer.from(token, "base64url").toString("utf8");
  if (encodePageToken(key) !== token || !key.startsWith(prefix)) {
    throw ringkvError("invalid_argument", "page_token is not valid for this prefix: pass next_page_token from the previous List answer unchanged");
  }
  return key;
}
