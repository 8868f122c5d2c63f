import http2 from "node:http2";
import type net from "node:net";
import { describe, expect, it, vi } from "vitest";
import { createH2Session } from "./h2-client-session.js";

/** A server that answers 200 and counts sessions; `goaway()` closes every open session. */
async function server(): Promise<{ url: string; sessions: () => number; goaway(): void; close(): Promise<void> }> {
  const s = http2.createServer();
  const open = new Set<http2.ServerHttp2Session>();
  let count = 0;
  s.on("session", (session) => {
    count++;
    open.add(session);
    session.on("close", () => open.delete(session));
  });
  s.on("stream", (stream) => {
    stream.respond({ ":status": 200 });
    stream.end("ok");
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`,
    sessions: () => count,
    goaway: () => open.forEach((session) => session.close()),
    close: () => new Promise((resolve) => s.close(() => resolve())),
  };
}

function get(session: ReturnType<typeof createH2Session>): Promise<number> {
  return new Promise((resolve, reject) => {
    session.request({ ":path": "/" }, (stream) => {
      stream.on("response", (h) => resolve(Number(h[":status"])));
      stream.on("error", reject);
      stream.resume();
      stream.end();
    }, reject);
  });
}

describe("createH2Session()", () => {
  it("multiplexes calls on one connection and dials a new one after GOAWAY", async () => {
    const srv = await server();
    const session = createH2Session({ baseUrl: srv.url });
    try {
      expect(await Promise.all([get(session), get(session), get(session)])).toEqual([200, 200, 200]);
      expect(srv.sessions()).toBe(1);
      srv.goaway();
      await new Promise((r) => setTimeout(r, 50));
      expect(await get(session)).toBe(200);
      expect(srv.sessions()).toBe(2);
    } finally {
      session.close();
      await srv.close();
    }
  });

  it("fails waiting calls with Unavailable when the peer refuses the connection", async () => {
    const srv = await server();
    await srv.close();
    const session = createH2Session({ baseUrl: srv.url });
    await expect(get(session)).rejects.toMatchObject({ code: 14 });
    session.close();
  });

  it("keeps resets within a budget the peer's rapid-reset protection tolerates", () => {
    vi.useFakeTimers();
    try {
      const session = createH2Session({ baseUrl: "http://127.0.0.1:1" });
      let allowed = 0;
      for (let i = 0; i < 1000; i++) if (session.mayReset()) allowed++;
      expect(allowed).toBe(200);
      vi.advanceTimersByTime(1000);
      allowed = 0;
      for (let i = 0; i < 100; i++) if (session.mayReset()) allowed++;
      expect(allowed).toBe(20);
      session.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
