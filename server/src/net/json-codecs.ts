import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { codecFailures } from "./message-codecs.js";
import { unhandled } from "./proto-wire.js";

/**
 * A hand-written JSON codec for one message type, for the Connect protocol's JSON (what `curl -d`
 * sends). Like the binary codecs (message-codecs.ts) it reads and writes only the plain, common
 * shapes and declines the rest by throwing {@link unhandled}; whatever it does read or write must
 * be exactly what protobuf-es's `fromJsonString` and `toJsonString` give with Connect's options
 * (unknown fields ignored, default values omitted).
 *
 * Why by hand: protobuf-es's JSON reader is reflective and scans the text a second time for
 * duplicate member names, its writer builds the JSON through reflection, and Connect then encodes
 * the text with a TextEncoder (an off-heap buffer per answer). Together ~15 µs of a ~100 µs JSON
 * Put over HTTP/1.1 on one node (BENCHMARKS.md).
 */
export interface JsonCodec<M> {
  /** The message in `text` (already decoded from UTF-8 as Connect does). */
  decode?(text: string): M;
  /** The message's JSON text. */
  encode?(message: M): string;
}

const codecs = new Map<string, JsonCodec<unknown>>();

/** Makes {@link decodeJsonWithCodec} and {@link encodeJsonWithCodec} use `codec` for `schema`. */
export function registerJsonCodec<D extends DescMessage>(schema: D, codec: JsonCodec<MessageShape<D>>): void {
  codecs.set(schema.typeName, codec as JsonCodec<unknown>);
}

/** The registered codec's reading of `text`, or undefined when there is none or it declines. */
export function decodeJsonWithCodec<D extends DescMessage>(schema: D, text: string): MessageShape<D> | undefined {
  const decode = codecs.get(schema.typeName)?.decode;
  if (decode === undefined) return undefined;
  try {
    return decode(text) as MessageShape<D>;
  } catch (err) {
    if (err !== unhandled) codecFailures.count++; // a codec bug, counted with the binary codecs' (a metric)
    return undefined;
  }
}

/** The registered codec's JSON for `message`, or undefined, as {@link decodeJsonWithCodec}. */
export function encodeJsonWithCodec<D extends DescMessage>(schema: D, message: MessageShape<D>): string | undefined {
  const encode = codecs.get(schema.typeName)?.encode;
  if (encode === undefined) return undefined;
  try {
    return encode(message);
  } catch (err) {
    if (err !== unhandled) codecFailures.count++; // a codec bug, counted with the binary codecs' (a metric)
    return undefined;
  }
}

/**
 * One or two members whose values are strings, in a JSON object and nothing else:
 * `{"key":"k","value":"v"}` with JSON's whitespace anywhere between tokens. The strings may not
 * hold a backslash (an escape) or a control character (which JSON forbids raw), so each value is
 * its text as written; names are plain letters. A text of any other shape does not match.
 */
const plainStringMembers = new RegExp(
  String.raw`^[ \t\n\r]*\{[ \t\n\r]*(?:"([A-Za-z]+)"[ \t\n\r]*:[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*` +
    String.raw`(?:,[ \t\n\r]*"([A-Za-z]+)"[ \t\n\r]*:[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*)?)?\}[ \t\n\r]*$`,
);

/**
 * Reads a JSON object of at most two string members, each named in `names` and none twice, into
 * `target` (its properties named after the members); throws {@link unhandled} for anything else
 * (other members, other values, escapes, duplicates: protobuf-es then reads, or rejects, it).
 */
export function readStringMembers<T extends object>(text: string, names: readonly string[], target: T): T {
  const match = plainStringMembers.exec(text);
  if (match === null) throw unhandled;
  const [, firstName, firstValue, secondName, secondValue] = match;
  if (firstName !== undefined) {
    if (!names.includes(firstName)) throw unhandled;
    (target as Record<string, unknown>)[firstName] = firstValue;
  }
  if (secondName !== undefined) {
    if (secondName === firstName || !names.includes(secondName)) throw unhandled;
    (target as Record<string, unknown>)[secondName] = secondValue;
  }
  return target;
}
