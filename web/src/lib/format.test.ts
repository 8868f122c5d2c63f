import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatBytes,
  formatClock,
  formatCount,
  formatDuration,
  formatMs,
  formatPercent,
  formatRate,
  formatSince,
  toNumber,
} from "./format";

describe("formatBytes()", () => {
  it("uses binary units with sensible precision", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1024)).toBe("1 KiB");
    expect(formatBytes(12.34 * 1024 * 1024)).toBe("12.3 MiB");
    expect(formatBytes(300n * 1024n * 1024n * 1024n)).toBe("300 GiB");
  });
  it("never shows a negative size", () => {
    expect(formatBytes(-5)).toBe("0 B");
  });
});

describe("formatCount()", () => {
  it("groups thousands without depending on the locale", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(18446744073709551615n)).toBe("18,446,744,073,709,551,615");
    expect(formatCount(-1234)).toBe("-1,234");
  });
});

describe("formatRate()", () => {
  it("keeps small rates readable and large ones short", () => {
    expect(formatRate(0)).toBe("0");
    expect(formatRate(Number.NaN)).toBe("0");
    expect(formatRate(0.25)).toBe("0.25");
    expect(formatRate(3)).toBe("3");
    expect(formatRate(12.54)).toBe("12.5");
    expect(formatRate(250.4)).toBe("250");
    expect(formatRate(1234)).toBe("1.2k");
  });
});

describe("formatMs()", () => {
  it("shows a dash without data and switches to seconds past 1000 ms", () => {
    expect(formatMs(0)).toBe("–");
    expect(formatMs(0.423)).toBe("0.42 ms");
    expect(formatMs(12.54)).toBe("12.5 ms");
    expect(formatMs(250.4)).toBe("250 ms");
    expect(formatMs(1250)).toBe("1.25 s");
  });
});

describe("formatPercent()", () => {
  it("shows one decimal", () => {
    expect(formatPercent(1 / 3)).toBe("33.3%");
    expect(formatPercent(1)).toBe("100.0%");
    expect(formatPercent(Number.NaN)).toBe("–");
  });
});

describe("formatDuration()", () => {
  it("shows the two largest units", () => {
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(725)).toBe("12m 5s");
    expect(formatDuration(3 * 3600 + 4 * 60 + 9)).toBe("3h 4m");
    expect(formatDuration(2n * 86400n + 5n * 3600n)).toBe("2d 5h");
  });
});

describe("formatAgo()", () => {
  const now = 1_700_000_000_000;
  it("reads like a person would say it", () => {
    expect(formatAgo(now, now)).toBe("just now");
    expect(formatAgo(now - 12_000, now)).toBe("12 s ago");
    expect(formatAgo(now - 3 * 60_000, now)).toBe("3 min ago");
    expect(formatAgo(now - 2 * 3600_000, now)).toBe("2 h ago");
    expect(formatAgo(now - 5 * 86400_000, now)).toBe("5 d ago");
  });
  it("treats a clock slightly ahead of ours as now", () => {
    expect(formatAgo(now + 1500, now)).toBe("just now");
  });
});

describe("formatSince()", () => {
  const now = 1_700_000_000_000;
  it("says so when reachability never changed", () => {
    expect(formatSince(0n, now)).toBe("since node start");
  });
  it("gives the time of day and how long ago", () => {
    const since = now - 12_000;
    expect(formatSince(BigInt(since), now)).toBe(`since ${formatClock(since)} (12 s ago)`);
    expect(formatClock(since)).toMatch(/^\d\d:\d\d:\d\d$/);
  });
});

describe("toNumber()", () => {
  it("converts bigint counters", () => {
    expect(toNumber(42n)).toBe(42);
    expect(toNumber(1.5)).toBe(1.5);
  });
});
