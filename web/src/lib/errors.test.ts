import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { conflictSentence, describeError, detectConflict, errorText } from "./errors";

const mismatch = (headers: Record<string, string>, message = "version mismatch") =>
  new ConnectError(message, Code.FailedPrecondition, headers);

describe("describeError()", () => {
  it("keeps the Connect code name and the raw message", () => {
    const d = describeError(new ConnectError("key must not be empty", Code.InvalidArgument));
    expect(d).toEqual({ code: "InvalidArgument", message: "key must not be empty", hint: "Check the input and try again." });
    expect(errorText(new ConnectError("no quorum", Code.Unavailable))).toBe("Unavailable: no quorum");
  });
  it("suggests switching nodes when the browser could not reach the node", () => {
    const d = describeError(ConnectError.from(new TypeError("Failed to fetch")));
    expect(d.message).toBe("Failed to fetch");
    expect(d.hint).toMatch(/Switch to another node/);
  });
  it("blames the rest of the cluster when the node itself answered Unavailable", () => {
    expect(describeError(new ConnectError("no quorum", Code.Unavailable)).hint).toMatch(/part of the cluster/);
  });
  it("explains that a timeout is an unknown outcome", () => {
    expect(describeError(new ConnectError("timed out", Code.DeadlineExceeded)).hint).toMatch(/unknown/);
  });
  it("describes plain errors and non-errors", () => {
    expect(describeError(new Error("boom"))).toEqual({ code: "Error", message: "boom" });
    expect(describeError("weird")).toEqual({ code: "Error", message: "weird" });
  });
});

describe("detectConflict()", () => {
  it("reads the current version from the ringkv-current-version metadata", () => {
    expect(detectConflict(mismatch({ "ringkv-reason": "version_mismatch", "ringkv-current-version": "7" }))).toEqual({
      currentVersion: 7n,
      message: "version mismatch",
    });
  });
  it("falls back to the message when the header is not visible", () => {
    const c = detectConflict(mismatch({}, "expected version 1, current version is 3"));
    expect(c?.currentVersion).toBe(3n);
    expect(detectConflict(mismatch({}, "expected version 1, current version: 4"))?.currentVersion).toBe(4n);
  });
  it("reports an unknown version when neither says", () => {
    expect(detectConflict(mismatch({}, "mismatch"))).toEqual({ currentVersion: undefined, message: "mismatch" });
  });
  it("ignores other failed preconditions and other codes", () => {
    expect(detectConflict(mismatch({ "ringkv-reason": "members_mismatch" }))).toBeUndefined();
    expect(detectConflict(new ConnectError("down", Code.Unavailable))).toBeUndefined();
    expect(detectConflict(new Error("x"))).toBeUndefined();
  });
});

describe("conflictSentence()", () => {
  it("explains a concurrent change with both versions", () => {
    expect(conflictSentence("k", 1n, { currentVersion: 2n, message: "" })).toBe(
      "“k” was changed by someone else: you edited version 1, it is now at version 2. Your change was not saved.",
    );
  });
  it("explains a concurrent delete", () => {
    expect(conflictSentence("k", 3n, { currentVersion: 0n, message: "" })).toMatch(/was deleted by someone else/);
  });
  it("explains a create of an existing key", () => {
    expect(conflictSentence("k", 0n, { currentVersion: 4n, message: "" })).toBe(
      "“k” already exists (version 4). Nothing was written.",
    );
  });
  it("copes with an unknown current version", () => {
    expect(conflictSentence("k", 1n, { currentVersion: undefined, message: "" })).toMatch(/has changed since/);
  });
});
