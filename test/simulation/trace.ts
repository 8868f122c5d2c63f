import type { Ballot, RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { formatBallot } from "../../server/src/replication/index.js";

/**
 * Compact text for simulation traces (`SIM_TRACE=1` with `SIM_SEED`): one line per message an
 * acceptor handled, enough to follow a failing seed round by round.
 */
export function formatState(s: RegisterState | undefined): string {
  if (s === undefined) return "-";
  if (s.exists) return `${JSON.stringify(new TextDecoder().decode(s.value))}@v${s.version}`;
  return s.version === 0n ? "empty" : `tomb@v${s.version}`;
}

/** A PeerService message as `{field=value ...}` with ballots and states shortened. */
export function formatMessage(m: object): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(m)) {
    if (k === "$typeName" || k === "key" || v === undefined || v === false) continue;
    if (typeof v === "object" && v !== null && "$typeName" in v) {
      const t = (v as { $typeName: string }).$typeName;
      if (t.endsWith(".Ballot")) parts.push(`${k}=${formatBallot(v as Ballot)}`);
      else if (t.endsWith(".RegisterState")) parts.push(`${k}=${formatState(v as RegisterState)}`);
      continue;
    }
    parts.push(`${k}=${String(v)}`);
  }
  return `{${parts.join(" ")}}`;
}
