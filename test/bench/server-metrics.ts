/** RPC counts of one node by result code, and its forwarded-call count. */
export interface ServerCounts {
  byCode: Record<string, number>;
  forwarded: number;
  /** Node-to-node RPCs this node served (PeerService: forward and acceptor batches, ...). */
  peerCalls: number;
  /** CASPaxos rounds this node coordinated that carried several writes of one key, and the writes they carried besides their own. */
  sharedRounds: number;
  carried: number;
}

/**
 * Reads a node's `/metrics`. h2load cannot see gRPC status trailers, so the server's own
 * `ringkv_requests_total{code}` counter, read before and after a run, is what proves that the
 * measured requests were answered OK and not with errors.
 */
export async function readServerCounts(url: string): Promise<ServerCounts> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const out: ServerCounts = { byCode: {}, forwarded: 0, peerCalls: 0, sharedRounds: 0, carried: 0 };
  for (const line of text.split("\n")) {
    if (line.startsWith("ringkv_requests_total{") && line.includes('service="kvstore.KeyValueService"')) {
      const code = /code="([^"]*)"/.exec(line)?.[1] ?? "?";
      out.byCode[code] = (out.byCode[code] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
    } else if (line.startsWith("ringkv_requests_total{") && line.includes('service="ringkv.internal.v1.PeerService"')) {
      out.peerCalls += Number(line.slice(line.lastIndexOf(" ") + 1));
    } else if (line.startsWith("ringkv_forwarded_requests_total{")) {
      out.forwarded += Number(line.slice(line.lastIndexOf(" ") + 1));
    } else if (line.startsWith("ringkv_paxos_shared_rounds_total ")) {
      out.sharedRounds = Number(line.slice(line.lastIndexOf(" ") + 1));
    } else if (line.startsWith("ringkv_paxos_carried_operations_total ")) {
      out.carried = Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return out;
}

/** Server-side outcome of one run; see {@link serverDelta}. */
export interface ServerDelta {
  ok: number;
  errors: number;
  /** Calls the driver cancelled when its time was up (not errors, up to the in-flight count). */
  canceled: number;
  forwarded: number;
  peerCalls: number;
  errorCodes: string[];
}

/**
 * What happened on the server between two readings. A driver that stops at the end of its
 * duration resets the streams still in flight, which the server counts as Canceled: up to
 * `inFlight` of those are the run ending, not failures; more than that are errors.
 */
export function serverDelta(before: ServerCounts, after: ServerCounts, inFlight: number): ServerDelta {
  const out: ServerDelta = { ok: 0, errors: 0, canceled: 0, forwarded: after.forwarded - before.forwarded, peerCalls: after.peerCalls - before.peerCalls, errorCodes: [] };
  for (const [code, n] of Object.entries(after.byCode)) {
    const d = n - (before.byCode[code] ?? 0);
    if (d <= 0) continue;
    if (code === "ok") out.ok += d;
    else if (code === "Canceled" && d <= inFlight) out.canceled += d;
    else {
      out.errors += d;
      out.errorCodes.push(`${code}:${d}`);
    }
  }
  return out;
}
