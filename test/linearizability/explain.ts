import { formatEntry, formatResult } from "./history.js";
import { formatState, sameResult, step, type RegisterState } from "./model.js";
import { earliest, type PreparedKey } from "./prepare.js";
import { revealedCounter } from "./version-bound.js";

/** How many operations of the best partial linearization a failure message quotes. */
export const TAIL = 8;

/** The deepest dead end of a failed search: what the failure message is built from. */
export interface DeadEnd {
  /** How many operations the longest consistent ordering placed. */
  depth: number;
  /** Its last (up to {@link TAIL}) operations, as indices into `PreparedKey.ops`. */
  tail: number[];
  /** The state after them. */
  state: RegisterState;
  /** The pending completed operation that returned first (nothing else could come next), or -1. */
  blocker: number;
  /** With the blocker placed, the operation still to place that bounds the version, or -1. */
  boundedBy: number;
}

/**
 * Why a key has no linearization, for people: the longest consistent ordering the search found,
 * the state it leads to, and why the operation that had to come next could not.
 */
export function explain(key: PreparedKey, best: DeadEnd): string {
  const { ops, models, completed } = key;
  const origin = earliest(ops);
  // The placeholder for unread values must not leak into the message.
  const plain = (text: string) => text.replaceAll(JSON.stringify(key.unread), "<a value no read returned>");
  const unknown = ops.length - completed;
  const lines = [
    `no linearization exists: the longest consistent ordering places ${best.depth} operation${best.depth === 1 ? "" : "s"} `
    + `(of ${completed} completed${unknown > 0 ? ` and ${unknown} unknown` : ""}).`,
  ];
  if (best.tail.length > 0) {
    lines.push(best.tail.length === best.depth ? "It is:" : `Its last ${best.tail.length} steps:`);
    for (const i of best.tail) lines.push(`  ${formatEntry(ops[i]!, origin)}`);
  }
  lines.push(`after which the register is ${plain(formatState(best.state))}.`);
  if (best.blocker < 0) return lines.join("\n");

  const blocker = ops[best.blocker]!;
  const next = step(best.state, models[best.blocker]!);
  const bounding = best.boundedBy < 0 ? undefined : ops[best.boundedBy]!;
  const limit = bounding === undefined ? undefined : revealedCounter(bounding);
  lines.push(
    "Then nothing fits next. The candidates were the operations invoked before the earliest pending return, that of",
    `  ${formatEntry(blocker, origin)}`,
  );
  if (!sameResult(blocker.result, next.result)) {
    lines.push(`which in that state would have answered: ${plain(formatResult(next.result))}.`);
  } else if (bounding !== undefined && limit !== undefined && next.state.version > limit) {
    lines.push(
      `which fits there itself, but takes the version to v${next.state.version}, past the v${limit} that this completed`
      + " operation, still to be placed, ran against (the version never goes back):",
      `  ${formatEntry(bounding, origin)}`,
    );
  } else {
    lines.push("which fits there itself, but every continuation after it fails.");
  }
  return lines.join("\n");
}
