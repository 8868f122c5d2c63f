import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The gRPC-over-HTTP/2 wire format the lean server path and the lean peer client share: the
 * 5-byte message envelope and the `grpc-timeout` header. Hand-written (a few lines) because
 * Connect's equivalents are async-iterable transforms, which is the per-call cost the lean path
 * exists to avoid. Every error here carries the code and text Connect's gRPC handler produces
 * for the same input (`protocol/envelope.ts`, `protocol/limit-io.ts`,
 * `protocol-grpc/parse-timeout.ts`), so a client can't tell the two paths apart.
 */

/** Envelope flag bit 0: the message is compressed (the same in gRPC, gRPC-Web and Connect). */
export const compressedFlag = 0b0000_0001;

/**
 * Parses a `grpc-timeout` value into milliseconds exactly as Connect does (`1..8 digits` and a
 * unit `H M S m u n`). Returns undefined when the header is absent and `null` when it is malformed
 * (the lean path then leaves the call to Connect, which answers it with its own error).
 */
export function parseGrpcTimeout(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const n = value.length - 1;
  if (n < 1 || n > 8) return null;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    digits = digits * 10 + c;
  }
  switch (value.charCodeAt(n)) {
    case 72: return digits * 3_600_000; // H
    case 77: return digits * 60_000; // M
    case 83: return digits * 1000; // S
    case 109: return digits; // m
    case 117: return 0.001 * digits; // u (Connect multiplies the same way: unit factor * count)
    case 110: return 0.000001 * digits; // n
    default: return null;
  }
}

/** Formats a relative deadline the way connect-es clients send it (whole milliseconds). */
export function formatGrpcTimeout(timeoutMs: number): string {
  return `${timeoutMs}m`;
}

/** One envelope: 5-byte header (flags, big-endian length) and the message bytes. */
export function encodeEnvelope(data: Uint8Array, flags = 0): Buffer {
  const out = Buffer.allocUnsafe(data.byteLength + 5);
  out[0] = flags;
  out.writeUInt32BE(data.byteLength, 1);
  out.set(data, 5);
  return out;
}

/** What {@link EnvelopeReader} has seen so far. */
export interface Envelope {
  flags: number;
  data: Uint8Array;
}

/**
 * Splits a byte stream into envelopes incrementally, enforcing `readMaxBytes` on each declared
 * message length as soon as its header arrives (ResourceExhausted, Connect's message), and
 * reporting a truncated trailing envelope at the end (InvalidArgument, Connect's message).
 */
export class EnvelopeReader {
  readonly #readMaxBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(readMaxBytes: number) {
    this.#readMaxBytes = readMaxBytes;
  }

  /** Adds bytes; returns every envelope completed by them (usually zero or one). */
  push(chunk: Buffer): Envelope[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    const out: Envelope[] = [];
    for (;;) {
      if (this.#buffered < 5) return out;
      const head = this.#peekHeader();
      const length = head.readUInt32BE(1);
      if (length > this.#readMaxBytes) {
        throw new ConnectError(`message size ${length} is larger than configured readMaxBytes ${this.#readMaxBytes}`, Code.ResourceExhausted);
      }
      if (this.#buffered < 5 + length) return out;
      const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
      out.push({ flags: all[0]!, data: all.subarray(5, 5 + length) });
      const rest = all.subarray(5 + length);
      this.#chunks = rest.byteLength > 0 ? [rest] : [];
      this.#buffered = rest.byteLength;
    }
  }

  /** Call at end of stream: throws if a partial envelope is left over. */
  end(): void {
    if (this.#buffered > 0) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  }

  #peekHeader(): Buffer {
    const first = this.#chunks[0]!;
    if (first.byteLength >= 5) return first;
    const joined = Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [joined];
    return joined;
  }
}
