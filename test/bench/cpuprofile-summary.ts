import { readFileSync } from "node:fs";

/** The parts of V8's .cpuprofile JSON the summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function or one group. */
export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

/** What dominates a profile: busy time, top functions, self time by area, inclusive layers. */
export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  functions: SelfTime[];
  groups: SelfTime[];
  /** Time with a frame of the layer anywhere on the stack (layers overlap; shares don't sum). */
  layers: SelfTime[];
}

type Frame = { functionName: string; url: string };

/**
 * Layers worth their inclusive time on the unary hot path: the per-call abort machinery and
 * Connect's generic streaming pipeline (both named in issue 6), and ringkv's own code. Fastify
 * hooks are left out: they call the rest of the request synchronously, so everything would count.
 */
const layers: Array<[string, (f: Frame) => boolean]> = [
  ["AbortController.abort() (creates a DOMException per call)", (f) => f.functionName === "abort" && f.url.includes("abort_controller")],
  ["AbortController / AbortSignal creation", (f) => ["createLinkedAbortController", "createDeadlineSignal", "AbortController", "createAbortSignal"].includes(f.functionName)],
  ["Connect async-iterable pipeline (protocol/async-iterable.js)", (f) => f.url.includes("protocol/async-iterable.js")],
  ["ringkv edge interceptor (metrics, stats, request id)", (f) => f.url.includes("/server/dist/api/interceptor.js")],
  ["ringkv KeyValueService handler and below", (f) => f.url.includes("/server/dist/api/kv-service.js")],
  ["protobuf-es (encode/decode)", (f) => f.url.includes("@bufbuild/protobuf")],
  ["web Headers (undici)", (f) => f.url.includes("/undici/")],
  ["lmdb", (f) => f.url.includes("/lmdb/")],
  ["module loading (startup)", (f) => f.url.includes("internal/modules")],
];

/**
 * Sums self time per function (samples x their time deltas) of a `--cpu-prof` file, and per
 * package or area (a dependency from node_modules, a Node core module, ringkv's own code, GC),
 * because "which layer" answers "what dominates" better than any single function does.
 */
export function summarizeCpuProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const fns = new Map<string, { name: string; where: string; us: number }>();
  const groups = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalUs += us;
    if (functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : "(native)";
    const key = `${functionName}@${where}`;
    const f = fns.get(key) ?? { name: functionName || "(anonymous)", where, us: 0 };
    f.us += us;
    fns.set(key, f);
    const g = groupOf(functionName, url);
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const layerUs = layers.map(() => 0);
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    const hit = layers.map(() => false);
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      layers.forEach(([, test], i) => (hit[i] ||= test(frame)));
    }
    hit.forEach((h, i) => h && (layerUs[i]! += us));
  }
  const share = (us: number) => us / busyUs;
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    functions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: share(f.us) })),
    groups: [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, where: "", ms: us / 1000, share: share(us) })),
    layers: layers.map(([name], i) => ({ name, where: "", ms: layerUs[i]! / 1000, share: share(layerUs[i]!) })),
  };
}

/** The package or area a frame belongs to. */
export function groupOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native code)";
  if (url.startsWith("node:")) {
    const parts = url.slice(5).split("/");
    return `node:${parts[0] === "internal" ? `internal/${parts[1] ?? ""}` : parts[0]}`.replace(/\.js$/, "");
  }
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = /\/server\/dist\/([^/]+)\//.exec(url);
  if (dist) return `ringkv server/${dist[1]}`;
  if (url.includes("/gen/")) return "@ringkv/gen";
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + 14);
  const server = url.indexOf("/server/dist/");
  if (server >= 0) return url.slice(server + 1);
  return url.replace(/^file:\/\//, "");
}
