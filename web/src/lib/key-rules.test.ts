import { describe, expect, it } from "vitest";
import { MAX_KEY_BYTES, keyProblem } from "./key-rules";

describe("keyProblem()", () => {
  it("accepts ordinary keys, including spaces and unicode", () => {
    expect(keyProblem("user/42")).toBeUndefined();
    expect(keyProblem(" a key ")).toBeUndefined();
    expect(keyProblem("ключ")).toBeUndefined();
  });
  it("refuses empty keys", () => {
    expect(keyProblem("")).toBe("Enter a key.");
  });
  it("counts the limit in UTF-8 bytes", () => {
    expect(keyProblem("x".repeat(MAX_KEY_BYTES))).toBeUndefined();
    expect(keyProblem("é".repeat(MAX_KEY_BYTES / 2 + 1))).toBe("The key is 4098 bytes; at most 4096 are allowed.");
  });
});
