import { getTextEncoding } from "@bufbuild/protobuf/wire";
import type { WireCodec } from "./message-codecs.js";

/**
 * Protobuf wire-format primitives for the hand-written codecs of the hot messages
 * (api/kv-wire.ts, cluster/forward-batch-wire.ts, cluster/peer-wire.ts, cluster/register-wire.ts). The encoders write exactly what
 * protobuf-es's `toBinary` writes (fields in number order, proto3 defaults left out); the
 * decoders read only the plain layout such an encoder produces and give up on anything else (an
 * unknown or repeated field, a non-canonical value, truncation) by throwing {@link unhandled}, so
 * that the caller decodes those bytes with protobuf-es instead: same result, same errors.
 *
 * Why by hand at all: protobuf-es's reader and writer are reflective and allocate per field (a
 * Uint8Array per string and per flushed varint, a fork per nested message, a reflection wrapper
 * per message); see the codecs for what that cost per call.
 */

/** Thrown by a decoder for bytes it leaves to protobuf-es (one shared object: no stack per throw). */
export const unhandled: Error = new Error("left to protobuf-es");

/**
 * The value of a bytes field that holds none, shared: a zero-length array cannot be written to,
 * so every message without bytes can point at this one instead of allocating its own.
 */
export const emptyBytes: Uint8Array = new Uint8Array(0);

/** Wire types. */
export const varintType = 0;
export const delimitedType = 2;

/** The key of a field: number and wire type. */
export function tagOf(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

// ---- sizes ----

/** Size of a non-negative integer below 2^53 as a varint (lengths, milliseconds, tags). */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Size of a 64-bit field value as a varint; an int64 below zero takes ten bytes, as protobuf-es writes it. */
export function varint64Size(value: bigint): number {
  if (value >= 0n && value < 0x20000000000000n) return varintSize(Number(value));
  // From the high 32 bits (at least 2^21 here): no BigInt arithmetic per 7 bits.
  const hi = Number(BigInt.asUintN(64, value) >> 32n);
  return Math.ceil((64 - Math.clz32(hi)) / 7);
}

/** Size of a length-delimited field with a one-byte key and `length` bytes of content. */
export function delimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/** UTF-8 length of a string, as protobuf-es's encoder (TextEncoder, lone surrogates as U+FFFD) makes it. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

// ---- writing (into a Buffer sized in advance; each returns the next position) ----

export function writeVarint(out: Buffer, start: number, value: number): number {
  let at = start;
  while (value >= 0x80) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

export function writeVarint64(out: Buffer, start: number, value: bigint): number {
  if (value >= 0n && value < 0x20000000000000n) return writeVarint(out, start, Number(value));
  // Above 2^53 (random incarnations, negative int64s): the low and high 32 bits as numbers,
  // 7 bits at a time as protobuf-es does, instead of a BigInt shift per byte.
  const v = BigInt.asUintN(64, value);
  let lo = Number(v & 0xffffffffn);
  let hi = Number(v >> 32n);
  let at = start;
  for (let i = 0; i < 4; i++) {
    out[at++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  const fifth = (lo & 0x0f) | ((hi & 0x07) << 4);
  hi >>>= 3;
  if (hi === 0) {
    out[at++] = fifth;
    return at;
  }
  out[at++] = fifth | 0x80;
  while (hi >= 0x80) {
    out[at++] = (hi & 0x7f) | 0x80;
    hi >>>= 7;
  }
  out[at++] = hi;
  return at;
}

/** A string field: key, length, UTF-8 (written even when empty; callers skip proto3 defaults). */
export function writeString(out: Buffer, start: number, tag: number, text: string, length: number): number {
  let at = start;
  out[at++] = tag;
  at = writeVarint(out, at, length);
  // Buffer.write encodes as TextEncoder does (a lone surrogate becomes U+FFFD, 3 bytes); a
  // disagreement with the length must never leave unwritten pool bytes in the message.
  if (length > 0 && out.write(text, at, length, "utf8") !== length) throw new Error(`protobuf encoding: UTF-8 length of a ${text.length}-character string is not ${length}`);
  return at + length;
}

/** A bytes field: key, length, content. */
export function writeBytes(out: Buffer, start: number, tag: number, bytes: Uint8Array): number {
  let at = start;
  out[at++] = tag;
  at = writeVarint(out, at, bytes.byteLength);
  out.set(bytes, at);
  return at + bytes.byteLength;
}

/** Checks that an encoder filled exactly the size it computed. */
export function checkWritten(what: string, at: number, total: number): void {
  if (at !== total) throw new Error(`${what} encoding wrote ${at} of ${total} bytes`);
}

// ---- proto3 fields: size with key, skipping defaults as protobuf-es does; writers to match ----

const maxUint64 = 0xffffffffffffffffn;
const minInt64 = -0x8000000000000000n;
const maxInt64 = 0x7fffffffffffffffn;

export function uint64Field(value: bigint): number {
  if (value === 0n) return 0;
  if (value < 0n || value > maxUint64) throw unhandled; // protobuf-es reports the invalid value
  return 1 + varint64Size(value);
}

export function int64Field(value: bigint): number {
  if (value === 0n) return 0;
  if (value < minInt64 || value > maxInt64) throw unhandled;
  return 1 + varint64Size(value);
}

export function stringField(text: string): number {
  return text.length === 0 ? 0 : delimitedSize(utf8Length(text));
}

export function bytesField(bytes: Uint8Array): number {
  return bytes.byteLength === 0 ? 0 : delimitedSize(bytes.byteLength);
}

/** Messages with unknown fields keep them (protobuf-es writes them back): left to protobuf-es. */
export function plain(message: { $unknown?: unknown[] }): void {
  if (message.$unknown !== undefined && message.$unknown.length > 0) throw unhandled;
}

export function putString(out: Buffer, at: number, tag: number, text: string): number {
  return text.length === 0 ? at : writeString(out, at, tag, text, utf8Length(text));
}

export function putUint64(out: Buffer, at: number, tag: number, value: bigint): number {
  if (value === 0n) return at;
  out[at] = tag;
  return writeVarint64(out, at + 1, value);
}

export function putBool(out: Buffer, at: number, tag: number, value: boolean): number {
  if (!value) return at;
  out[at] = tag;
  out[at + 1] = 1;
  return at + 2;
}

export function putMessage<M>(out: Buffer, at: number, tag: number, message: M, size: (m: M) => number, write: (out: Buffer, at: number, m: M) => number): number {
  out[at] = tag;
  const start = writeVarint(out, at + 1, size(message));
  return write(out, start, message);
}


// ---- reading ----

const textEncoding = getTextEncoding();

/**
 * Reads fields from `buf`; every method throws {@link unhandled} on what it does not read
 * plainly. Bytes fields are views into `buf`, as protobuf-es's are.
 */
export class ProtoReader {
  pos = 0;
  readonly buf: Uint8Array;
  readonly #latin1: Buffer;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.#latin1 = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A varint below 2^28 (keys, lengths, bools, small numbers); anything longer is left to protobuf-es. */
  small(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if (b < 0x80) return b;
    let value = b & 0x7f;
    b = buf[this.pos++]!;
    value |= (b & 0x7f) << 7;
    if (b < 0x80) return value;
    b = buf[this.pos++]!;
    value |= (b & 0x7f) << 14;
    if (b < 0x80) return value;
    b = buf[this.pos++]!;
    value |= (b & 0x7f) << 21;
    if (b < 0x80) return value;
    throw unhandled;
  }

  /** A bool: 0 or 1 (what protobuf-es writes). */
  bool(): boolean {
    const b = this.buf[this.pos++];
    if (b === 1) return true;
    if (b === 0) return false;
    throw unhandled;
  }

  /** A uint64 varint, as protobuf-es's bigint. */
  uint64(): bigint {
    const buf = this.buf;
    // The low 28 bits, then the rest (up to 36 bits) as numbers: one BigInt for most values.
    let lo = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = buf[this.pos++];
      if (b === undefined) throw unhandled;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return BigInt(lo >>> 0);
    }
    let hi = 0;
    let scale = 1;
    for (let i = 0; i < 6; i++) {
      const b = buf[this.pos++];
      if (b === undefined || (i === 5 && b > 1)) throw unhandled; // past 64 bits
      hi += (b & 0x7f) * scale;
      if (b < 0x80) {
        const value = hi * 0x10000000 + (lo >>> 0);
        return value <= Number.MAX_SAFE_INTEGER ? BigInt(value) : (BigInt(hi) << 28n) | BigInt(lo >>> 0);
      }
      scale *= 128;
    }
    throw unhandled;
  }

  /** An int64 varint (two's complement in ten bytes when negative). */
  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  /** Where a length-delimited field that starts here ends (after reading its length). */
  delimitedEnd(): number {
    const length = this.small();
    const end = this.pos + length;
    if (end > this.buf.byteLength) throw unhandled;
    return end;
  }

  bytes(): Uint8Array {
    const end = this.delimitedEnd();
    const bytes = this.buf.subarray(this.pos, end);
    this.pos = end;
    return bytes;
  }

  /** A proto3 string: UTF-8 checked as protobuf-es checks it; ASCII read directly. */
  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    const buf = this.buf;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        try {
          return textEncoding.decodeUtf8(buf.subarray(start, end), true);
        } catch {
          throw unhandled;
        }
      }
    }
    return this.#latin1.toString("latin1", start, end);
  }

  /** Checks that a nested message ended exactly at its end. */
  endAt(end: number): void {
    if (this.pos !== end) throw unhandled;
  }
}

/** The items of a repeated message field 1, the only field of a batch message, up to `end`. */
export function readList<T>(r: ProtoReader, end: number, read: (r: ProtoReader, end: number) => T): T[] {
  const items: T[] = [];
  while (r.pos < end) {
    if (r.small() !== 0x0a) throw unhandled;
    items.push(read(r, r.delimitedEnd()));
  }
  r.endAt(end);
  return items;
}

/** Size of a repeated message field with a one-byte key. */
export function listSize<T>(items: readonly T[], size: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += delimitedSize(size(item));
  return total;
}

/** Writes a repeated message field 1. */
export function writeList<T>(out: Buffer, at: number, items: readonly T[], size: (item: T) => number, write: (out: Buffer, at: number, item: T) => number): number {
  for (const item of items) at = putMessage(out, at, 0x0a, item, size, write);
  return at;
}

/** A nested message field read once (protobuf-es merges repeats: left to it). */
export function once<T>(current: T | undefined): void {
  if (current !== undefined) throw unhandled;
}

/** A {@link WireCodec} from a message's size, write and read functions. */
export function wireCodec<M>(what: string, size: (m: M) => number, write: (out: Buffer, at: number, m: M) => number, read: (r: ProtoReader, end: number) => M): Required<WireCodec<M>> {
  return {
    encode(message, pooled) {
      const total = size(message);
      const out = pooled ? Buffer.allocUnsafe(total) : Buffer.allocUnsafeSlow(total);
      checkWritten(what, write(out, 0, message), total);
      return out;
    },
    decode: decodeWith(read),
  };
}

/** A decoder from a message's read function. */
export function decodeWith<M>(read: (r: ProtoReader, end: number) => M): (bytes: Uint8Array) => M {
  return (bytes) => read(new ProtoReader(bytes), bytes.byteLength);
}
