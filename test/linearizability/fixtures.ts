import { createPrng } from "../simulation/prng.js";
/**
 * Test helpers for the checker's own tests: terse builders for hand-written histories, and a
 * simulator that produces histories that are linearizable by construction (each operation takes
 * effect at a chosen instant inside its interval, in one global order).
 */
import type { HistoryEntry, RegisterOp, RegisterResult } from "./history.js";
import { INITIAL_STATE, step, visibleVersion, type RegisterState } from "./model.js";

export const get = (): RegisterOp => ({ type: "get" });
export const put = (value: string, expectedVersion?: bigint): RegisterOp =>
  expectedVersion === undefined ? { type: "put", value } : { type: "put", value, expectedVersion };
export const del = (expectedVersion?: bigint): RegisterOp =>
  expectedVersion === undefined ? { type: "delete" } : { type: "delete", expectedVersion };

export const found = (value: string, version: bigint): RegisterResult => ({ type: "get", found: true, value, version });
export const missing = (version = 0n): RegisterResult => ({ type: "get", found: false, version });
export const ok = (version: bigint): RegisterResult => ({ type: "put", version });
export const deleted = (wasFound = true): RegisterResult => ({ type: "delete", found: wasFound });
export const casFailed = (currentVersion: bigint): RegisterResult => ({ type: "cas-failed", currentVersion });
export const unknown: RegisterResult = { type: "unknown" };

/** One entry; `returnedAt` is +Infinity for an unknown result unless given. */
export function op(
  client: string,
  invokedAt: number,
  returnedAt: number,
  operation: RegisterOp,
  result: RegisterResult,
  key = "k",
): HistoryEntry {
  return { client, key, op: operation, result, invokedAt, returnedAt };
}

/** Runs `ops` one after another, each in its own interval: a sequential history. */
export function sequential(ops: ReadonlyArray<[RegisterOp, RegisterResult]>, key = "k"): HistoryEntry[] {
  return ops.map(([operation, result], i) => op("c1", i * 10, i * 10 + 5, operation, result, key));
}

/** What one simulated operation does; fields are small numbers so fast-check can shrink them. */
export interface OpPlan {
  client: number;
  key: number;
  kind: "get" | "put" | "delete";
  /** Index into {@link VALUES}. */
  value: number;
  /** Expected version of a CAS: none, the current visible one, a wrong one, or 0 (if absent). */
  cas: "none" | "current" | "wrong" | "absent";
  /** Delay after the client's previous return before it invokes this one. */
  gap: number;
  /** Delay from invocation to the instant the operation takes effect. */
  effect: number;
  /** Delay from invocation (unknown) or from the effect (completed) to the return. */
  reply: number;
  /** "unknown": applied but the client timed out; "lost": never applied, client timed out. */
  fate: "ok" | "unknown" | "lost";
}

export const VALUES = ["a", "b", "c", "d", "e"];

/**
 * Turns plans into a history that is linearizable by construction. Each client issues its plans
 * in order, one at a time; every operation takes effect at an instant strictly inside its
 * interval (for unknown ones, any time after invocation, possibly after the client gave up), and
 * the results come from applying the operations to the model in the order of those instants.
 * CAS expectations are chosen at that instant, so "current" CAS really succeed. Values come from
 * the small pool {@link VALUES} (ambiguous on purpose: many writes of one value) or, with
 * `uniqueValues`, are unique per write, as recommended for real tests.
 */
export function simulate(plans: readonly OpPlan[], { uniqueValues = false } = {}): HistoryEntry[] {
  const free = new Map<number, number>();
  const timed = plans.map((plan, index) => {
    const invokedAt = (free.get(plan.client) ?? 0) + plan.gap + 0.25;
    const effectAt = invokedAt + plan.effect + 0.5;
    const returnedAt = plan.fate === "ok" ? effectAt + plan.reply + 0.5 : invokedAt + plan.reply + 0.5;
    free.set(plan.client, returnedAt);
    return { plan, index, invokedAt, effectAt, returnedAt };
  });

  const states = new Map<number, RegisterState>();
  const entries = new Array<HistoryEntry>(plans.length);
  for (const t of [...timed].sort((a, b) => a.effectAt - b.effectAt || a.index - b.index)) {
    const state = states.get(t.plan.key) ?? INITIAL_STATE;
    const operation = build(t.plan, state, uniqueValues ? `w${t.index}` : VALUES[t.plan.value % VALUES.length]!);
    let result: RegisterResult = unknown;
    if (t.plan.fate !== "lost") {
      const next = step(state, operation);
      states.set(t.plan.key, next.state);
      if (t.plan.fate === "ok") result = next.result;
    }
    entries[t.index] = {
      client: `c${t.plan.client}`,
      key: `k${t.plan.key}`,
      op: operation,
      result,
      invokedAt: t.invokedAt,
      returnedAt: result.type === "unknown" ? Number.POSITIVE_INFINITY : t.returnedAt,
    };
  }
  return entries;
}

function build(plan: OpPlan, state: RegisterState, value: string): RegisterOp {
  const expected = plan.cas === "none"
    ? undefined
    : plan.cas === "current" ? visibleVersion(state) : plan.cas === "wrong" ? visibleVersion(state) + 1n : 0n;
  switch (plan.kind) {
    case "get":
      return get();
    case "put":
      return put(value, expected);
    case "delete":
      return del(expected);
  }
}

/** Deterministic PRNG (mulberry32, shared with the simulation) for the large generated histories. */
export function prng(seed: number): () => number {
  return createPrng(seed).next;
}

/** `clients` clients issuing `perClient` random operations each, spread over `keys` keys. */
export function randomPlans(
  seed: number,
  { clients, perClient, keys = 1, unknownRate = 0 }: { clients: number; perClient: number; keys?: number; unknownRate?: number },
): OpPlan[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const plans: OpPlan[] = [];
  for (let round = 0; round < perClient; round++) {
    for (let client = 0; client < clients; client++) {
      const r = random();
      plans.push({
        client,
        key: Math.floor(random() * keys),
        kind: pick(["get", "get", "put", "put", "delete"] as const),
        value: Math.floor(random() * VALUES.length),
        cas: pick(["none", "none", "current", "wrong", "absent"] as const),
        gap: random() * 2,
        effect: random() * 5,
        reply: random() * 5,
        fate: r < unknownRate / 2 ? "unknown" : r < unknownRate ? "lost" : "ok",
      });
    }
  }
  return plans;
}
