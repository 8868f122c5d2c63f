import { describe, expect, it } from "vitest";
import { defaultBaseUrl, hostOf, memberBaseUrl } from "./base-url";

describe("memberBaseUrl()", () => {
  it("adds http:// to a host:port address", () => {
    expect(memberBaseUrl("127.0.0.1:50052")).toBe("http://127.0.0.1:50052");
    expect(memberBaseUrl(" localhost:1/ ")).toBe("http://localhost:1");
  });
  it("keeps an explicit scheme", () => {
    expect(memberBaseUrl("https://kv.example:443")).toBe("https://kv.example:443");
  });
});

describe("defaultBaseUrl()", () => {
  it("prefers VITE_RINGKV_URL and falls back to the page origin", () => {
    expect(defaultBaseUrl("http://127.0.0.1:50052/", "http://localhost:5173")).toBe("http://127.0.0.1:50052");
    expect(defaultBaseUrl(undefined, "http://127.0.0.1:50051")).toBe("http://127.0.0.1:50051");
    expect(defaultBaseUrl("  ", "http://127.0.0.1:50051")).toBe("http://127.0.0.1:50051");
  });
});

describe("hostOf()", () => {
  it("shows host:port", () => {
    expect(hostOf("http://127.0.0.1:50051")).toBe("127.0.0.1:50051");
    expect(hostOf("not a url")).toBe("not a url");
  });
});
