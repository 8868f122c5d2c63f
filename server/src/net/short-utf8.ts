import { configureTextEncoding, getTextEncoding } from "@bufbuild/protobuf/wire";

/** Strings up to this many characters are encoded in JavaScript; V8 keeps typed arrays this small on its heap. */
const shortLength = 64;
/** Strings up to this many characters (at most 3 KB of UTF-8) are encoded into Node's shared Buffer pool. */
const pooledLength = 1024;

let installed = false;

/**
 * Installs a UTF-8 encoder for protobuf-es's binary writer that encodes short ASCII strings in
 * JavaScript into a small on-heap Uint8Array, strings up to 1,024 characters into a slice of
 * Node's Buffer pool (`Buffer.from`, which only allocates a new 8 KB pool now and then), and
 * hands longer ones to TextEncoder.
 *
 * Why: Node's `TextEncoder.encode` allocates every result as a new off-heap ArrayBuffer through
 * malloc (~270 ns even for "Get"), and the node-to-node path encodes about a dozen short strings
 * per forwarded call (method name, header names and values, the key). Measured on an entry node
 * forwarding Gets, TextEncoder, malloc/free and V8's ArrayBuffer sweeping were about a seventh of
 * its CPU per call. The JavaScript loop costs ~30 ns for a header name and allocates nothing
 * outside the young generation. A larger result can't live on V8's heap: each TextEncoder result
 * is an ArrayBuffer of its own, and V8 sweeps every young ArrayBuffer in each scavenge (a 100-byte
 * value answered by a Get made that sweep half of the scavenge pause at half load). Buffer.from
 * takes ~70 ns for 100 characters against TextEncoder's ~300.
 * Output is byte-identical (short-utf8.test.ts); decoding and the
 * UTF-8 check stay protobuf-es's defaults (TextDecoder is fast already).
 *
 * protobuf-es documents `configureTextEncoding` for supplying the text encoding; it is
 * process-wide and read when a writer is created, so install it once at startup.
 */
export function installShortStringUtf8(): void {
  if (installed) return;
  installed = true;
  const defaults = getTextEncoding();
  const textEncoder = new TextEncoder();
  configureTextEncoding({
    encodeUtf8: (text) => encodeShortAscii(text) ?? (text.length <= pooledLength ? Buffer.from(text, "utf8") : textEncoder.encode(text)),
    decodeUtf8: defaults.decodeUtf8,
    checkUtf8: defaults.checkUtf8,
  });
}

/** The UTF-8 bytes of `text` if it is short and ASCII only (then UTF-8 is the char codes); else undefined. */
export function encodeShortAscii(text: string): Uint8Array<ArrayBuffer> | undefined {
  const length = text.length;
  if (length > shortLength) return undefined;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return undefined;
    bytes[i] = code;
  }
  return bytes;
}
