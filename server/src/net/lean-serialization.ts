import type { DescMethodUnary, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { createMethodSerializationLookup, type MethodSerializationLookup } from "@connectrpc/connect/protocol";
import { decodeJsonWithCodec, encodeJsonWithCodec } from "./json-codecs.js";
import { decodeWithCodec, encodeWithCodec } from "./message-codecs.js";

/** How the lean Connect path reads a request's message and writes an answer's, JSON or binary. */
export interface LeanSerialization {
  parse(method: DescMethodUnary, binary: boolean, bytes: Uint8Array): MessageShape<DescMessage>;
  serialize(method: DescMethodUnary, binary: boolean, message: MessageShape<DescMessage>): Uint8Array;
}

/** Decodes JSON bodies as Connect's JSON serialization does (a TextDecoder with its defaults). */
const textDecoder = new TextDecoder();

/**
 * Connect's own serialization of each method (`createMethodSerializationLookup`, with Connect's
 * defaults and our read limit), tried after the hand-written codecs registered for the message
 * (net/message-codecs.ts for binary, net/json-codecs.ts for JSON): a message a codec reads or
 * writes gives the same result, and everything a codec declines, malformed input included, goes
 * to Connect, so errors read exactly as Connect's. A JSON answer is encoded into Node's buffer
 * pool rather than by a TextEncoder (an off-heap buffer per answer); the bytes are the same.
 */
export function createLeanSerialization(readMaxBytes: number): LeanSerialization {
  type Lookup = MethodSerializationLookup<DescMethodUnary["input"], DescMethodUnary["output"]>;
  const lookups = new Map<DescMethodUnary, Lookup>();

  function connectOf(method: DescMethodUnary): Lookup {
    let lookup = lookups.get(method);
    if (lookup === undefined) {
      // Connect's defaults: no binary or JSON options, writeMaxBytes at its maximum.
      lookup = createMethodSerializationLookup(method, undefined, undefined, { readMaxBytes, writeMaxBytes: 0xffffffff });
      lookups.set(method, lookup);
    }
    return lookup;
  }

  return {
    parse(method, binary, bytes) {
      if (bytes.byteLength <= readMaxBytes) {
        const message = binary ? decodeWithCodec(method.input, bytes) : decodeJsonWithCodec(method.input, textDecoder.decode(bytes));
        if (message !== undefined) return message;
      }
      return connectOf(method).getI(binary).parse(bytes);
    },
    serialize(method, binary, message) {
      if (binary) return encodeWithCodec(method.output, message) ?? connectOf(method).getO(true).serialize(message);
      const json = encodeJsonWithCodec(method.output, message);
      return json !== undefined ? Buffer.from(json, "utf8") : connectOf(method).getO(false).serialize(message);
    },
  };
}
