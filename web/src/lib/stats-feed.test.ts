import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startStatsFeed, type FeedMode, type StatsFeedOptions } from "./stats-feed";

/** A controllable stream: push messages, fail it or end it from the test. */
function controllableStream() {
  const queue: Array<{ value?: number; error?: unknown; done?: boolean }> = [];
  let wake: (() => void) | undefined;
  let opened = 0;
  const push = (item: { value?: number; error?: unknown; done?: boolean }) => {
    queue.push(item);
    wake?.();
  };
  async function* watch(signal: AbortSignal): AsyncIterable<number> {
    opened++;
    while (!signal.aborted) {
      const item = queue.shift();
      if (!item) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        continue;
      }
      if (item.error !== undefined) throw item.error;
      if (item.done) return;
      yield item.value as number;
    }
    throw new Error("aborted");
  }
  return { watch, push, opened: () => opened };
}

function setup(overrides: Partial<StatsFeedOptions<number>> = {}) {
  const stream = controllableStream();
  const data: number[] = [];
  const modes: FeedMode[] = [];
  const errors: unknown[] = [];
  let polls = 0;
  const feed = startStatsFeed<number>({
    watch: stream.watch,
    poll: () => Promise.resolve(100 + ++polls),
    onData: (d) => data.push(d),
    onError: (e) => errors.push(e),
    onMode: (m) => modes.push(m),
    pollIntervalMs: 1000,
    retryStreamMs: 5000,
    staleAfterMs: 3000,
    ...overrides,
  });
  return { stream, data, modes, errors, feed, polls: () => polls };
}

describe("startStatsFeed()", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("delivers stream messages and reports stream mode", async () => {
    const t = setup();
    t.stream.push({ value: 1 });
    t.stream.push({ value: 2 });
    await vi.advanceTimersByTimeAsync(10);
    expect(t.data).toEqual([1, 2]);
    expect(t.modes).toEqual(["connecting", "stream"]);
    t.feed.stop();
  });

  it("falls back to polling every interval when the stream fails, and reports the error", async () => {
    const t = setup();
    const failure = new Error("stream broke");
    t.stream.push({ error: failure });
    await vi.advanceTimersByTimeAsync(10);
    expect(t.modes).toEqual(["connecting", "polling"]);
    expect(t.errors[0]).toBe(failure);
    expect(t.data).toEqual([101]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.data).toEqual([101, 102, 103]);
    expect(t.errors.at(-1)).toBeUndefined();
    t.feed.stop();
  });

  it("polls when the server ends the stream", async () => {
    const t = setup();
    t.stream.push({ value: 1 });
    t.stream.push({ done: true });
    await vi.advanceTimersByTimeAsync(10);
    expect(t.modes).toEqual(["connecting", "stream", "polling"]);
    expect(t.data).toEqual([1, 101]);
    t.feed.stop();
  });

  it("treats a silent stream as failed", async () => {
    const t = setup();
    await vi.advanceTimersByTimeAsync(3100);
    expect(t.modes).toEqual(["connecting", "polling"]);
    expect(String(t.errors[0])).toMatch(/no stats from the stream/);
    t.feed.stop();
  });

  it("tries the stream again after polling for a while", async () => {
    const t = setup();
    t.stream.push({ error: new Error("x") });
    await vi.advanceTimersByTimeAsync(10);
    expect(t.stream.opened()).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.stream.opened()).toBe(2);
    t.stream.push({ value: 7 });
    await vi.advanceTimersByTimeAsync(10);
    expect(t.modes.slice(-2)).toEqual(["connecting", "stream"]);
    expect(t.data.at(-1)).toBe(7);
    t.feed.stop();
  });

  it("reports failed polls and keeps polling", async () => {
    let calls = 0;
    const t = setup({
      poll: () => (++calls === 1 ? Promise.reject(new Error("down")) : Promise.resolve(5)),
    });
    t.stream.push({ error: new Error("x") });
    await vi.advanceTimersByTimeAsync(10);
    expect(String(t.errors.at(-1))).toMatch(/down/);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.data).toEqual([5]);
    expect(t.errors.at(-1)).toBeUndefined();
    t.feed.stop();
  });

  it("stops everything on stop()", async () => {
    const t = setup();
    t.stream.push({ error: new Error("x") });
    await vi.advanceTimersByTimeAsync(10);
    t.feed.stop();
    const before = t.polls();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.polls()).toBe(before);
    expect(t.modes.at(-1)).toBe("stopped");
  });
});
