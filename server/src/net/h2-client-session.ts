import http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { nodeReasonError } from "./h2-errors.js";

/** Options of {@link createH2Session}. */
export interface H2SessionOptions {
  /** "http://host:port" (h2c with prior knowledge) or "https://host:port". */
  baseUrl: string;
  /** Extra `http2.connect` options, e.g. `{ ca }` for TLS. */
  connectOptions?: http2.SecureClientSessionOptions;
  /** Ping a connection that carried no stream for this long (default 15 s). */
  pingIntervalMs?: number;
  /** A ping unanswered this long destroys the connection (default 5 s; Unavailable). */
  pingTimeoutMs?: number;
}

/** One peer's pooled HTTP/2 connection; see {@link createH2Session}. */
export interface H2Session {
  /**
   * Opens a stream on the live connection (connecting first if there is none). Calls `onStream`
   * synchronously when a connection is up, else once it is; calls `onError` with an Unavailable
   * (or other connect-node-coded) ConnectError when the connection can't be made.
   */
  request(headers: http2.OutgoingHttpHeaders, onStream: (stream: http2.ClientHttp2Stream) => void, onError: (err: ConnectError) => void): void;
  /**
   * Whether a stream may be reset (RST_STREAM) now. Servers protect themselves against "rapid
   * reset" floods (CVE-2023-44487): nghttp2, inside Node, drops the whole connection with
   * INTERNAL_ERROR once a client has reset more than 1000 streams in a burst or more than 33 a
   * second after it, failing every call on it. A proposer cancels its straggling call on every
   * operation, so under load we would trip that; past a budget well inside it (a burst of 200,
   * then 20 a second), an abandoned stream is simply left to finish and its answer ignored.
   */
  mayReset(): boolean;
  /** Closes the connection and fails calls waiting for one. */
  close(): void;
}

interface Live {
  session: http2.ClientHttp2Session;
  connected: boolean;
  waiting: Array<{ headers: http2.OutgoingHttpHeaders; onStream: (s: http2.ClientHttp2Stream) => void; onError: (e: ConnectError) => void }>;
  lastActive: number;
  pingTimer: NodeJS.Timeout;
}

/**
 * One long-lived HTTP/2 connection to a peer, as connect-node's Http2SessionManager keeps one,
 * minus its per-call promise chain: a call on a connected session opens its stream
 * synchronously. The connection is replaced after GOAWAY, close or error (streams already
 * running finish on the old one), re-dialled on the next call after a failed connect (which
 * fails the waiting calls with connect-node's error, e.g. Unavailable for ECONNREFUSED), and
 * pinged when idle so a dead peer is noticed (destroyed with Unavailable "PING timed out", as
 * connect-node does). Sockets are unref'd: an idle pool never keeps the process alive.
 */
export function createH2Session(options: H2SessionOptions): H2Session {
  const pingIntervalMs = options.pingIntervalMs ?? 15_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  let live: Live | undefined;
  let closed = false;
  const resetBurst = 200;
  const resetsPerSecond = 20;
  let resetTokens = resetBurst;
  let resetRefilledAt = Date.now();

  function dial(): Live {
    const session = http2.connect(options.baseUrl, options.connectOptions);
    const entry: Live = {
      session,
      connected: false,
      waiting: [],
      lastActive: Date.now(),
      pingTimer: setInterval(() => ping(entry), pingIntervalMs),
    };
    entry.pingTimer.unref();
    const retire = () => {
      if (live === entry) live = undefined;
      clearInterval(entry.pingTimer);
    };
    session.once("connect", () => {
      entry.connected = true;
      session.unref();
      const waiting = entry.waiting;
      entry.waiting = [];
      for (const w of waiting) open(entry, w.headers, w.onStream, w.onError);
    });
    session.on("error", (err: Error) => {
      retire();
      const waiting = entry.waiting;
      entry.waiting = [];
      const ce = nodeReasonError(err);
      for (const w of waiting) w.onError(ce);
    });
    // After GOAWAY the connection takes no new streams; running ones may still finish.
    session.once("goaway", retire);
    session.once("close", () => {
      retire();
      const waiting = entry.waiting;
      entry.waiting = [];
      for (const w of waiting) w.onError(new ConnectError("connection closed before it was established", Code.Unavailable));
    });
    return entry;
  }

  function ping(entry: Live): void {
    if (!entry.connected || entry.session.destroyed || Date.now() - entry.lastActive < pingIntervalMs) return;
    const timer = setTimeout(() => {
      entry.session.destroy(new ConnectError("PING timed out", Code.Unavailable), http2.constants.NGHTTP2_CANCEL);
    }, pingTimeoutMs);
    timer.unref();
    try {
      entry.session.ping((err) => {
        clearTimeout(timer);
        if (!err) entry.lastActive = Date.now();
      });
    } catch {
      clearTimeout(timer);
    }
  }

  function open(entry: Live, headers: http2.OutgoingHttpHeaders, onStream: (s: http2.ClientHttp2Stream) => void, onError: (e: ConnectError) => void): void {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = entry.session.request(headers);
    } catch (err) {
      // The connection died between our check and the request (GOAWAY, destroyed): dial again once.
      if (live === entry) live = undefined;
      if (entry.session.closed || entry.session.destroyed) {
        const next = current();
        if (next !== entry) return request(next, headers, onStream, onError);
      }
      onError(nodeReasonError(err));
      return;
    }
    entry.lastActive = Date.now();
    onStream(stream);
  }

  function current(): Live {
    if (live === undefined || live.session.closed || live.session.destroyed) live = dial();
    return live;
  }

  function request(entry: Live, headers: http2.OutgoingHttpHeaders, onStream: (s: http2.ClientHttp2Stream) => void, onError: (e: ConnectError) => void): void {
    if (entry.connected) open(entry, headers, onStream, onError);
    else entry.waiting.push({ headers, onStream, onError });
  }

  return {
    mayReset() {
      const now = Date.now();
      resetTokens = Math.min(resetBurst, resetTokens + ((now - resetRefilledAt) * resetsPerSecond) / 1000);
      resetRefilledAt = now;
      if (resetTokens < 1) return false;
      resetTokens--;
      return true;
    },
    request(headers, onStream, onError) {
      if (closed) {
        onError(new ConnectError("connection aborted", Code.Canceled));
        return;
      }
      request(current(), headers, onStream, onError);
    },
    close() {
      closed = true;
      const entry = live;
      live = undefined;
      if (entry === undefined) return;
      clearInterval(entry.pingTimer);
      const waiting = entry.waiting;
      entry.waiting = [];
      for (const w of waiting) w.onError(new ConnectError("connection aborted", Code.Canceled));
      entry.session.destroy(undefined, http2.constants.NGHTTP2_CANCEL);
    },
  };
}
