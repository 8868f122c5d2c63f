import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { unhandled } from "./proto-wire.js";

/**
 * A hand-written protobuf codec for one message type (see net/proto-wire.ts). Both methods may
 * throw for input they leave to protobuf-es; they must otherwise give exactly what protobuf-es
 * gives. A codec may decode only (protobuf-es then encodes).
 */
export interface WireCodec<M> {
  /**
   * The message in protobuf binary. `pooled`: in a slice of Node's Buffer pool (for bytes sent
   * and dropped); else in a buffer of its own (for bytes kept, e.g. a stored record).
   */
  encode?(message: M, pooled: boolean): Uint8Array;
  decode(bytes: Uint8Array): M;
}

const codecs = new Map<string, WireCodec<unknown>>();

/**
 * Messages a registered codec handed to protobuf-es for a reason other than declining them
 * (`unhandled`): a codec bug, which costs speed, not correctness. Exported as a metric.
 */
export const codecFailures = { count: 0 };

function fellBack(err: unknown): void {
  if (err !== unhandled) codecFailures.count++;
}

/**
 * Makes {@link encodeMessage} and {@link decodeMessage} use `codec` for `schema`'s messages
 * (process-wide, like protobuf-es's own text-encoding hook; installed once at startup).
 */
export function registerWireCodec<D extends DescMessage>(schema: D, codec: WireCodec<MessageShape<D>>): void {
  codecs.set(schema.typeName, codec as WireCodec<unknown>);
}

/**
 * The registered codec's encoding of `message`, or undefined when there is no codec or it
 * declines (for callers with their own fallback, e.g. Connect's serialization and its errors).
 */
export function encodeWithCodec<D extends DescMessage>(schema: D, message: MessageShape<D>, pooled = true): Uint8Array | undefined {
  const encode = codecs.get(schema.typeName)?.encode;
  if (encode === undefined) return undefined;
  try {
    return encode(message, pooled);
  } catch (err) {
    fellBack(err);
    return undefined;
  }
}

/** The registered codec's decoding of `bytes`, or undefined, as {@link encodeWithCodec}. */
export function decodeWithCodec<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> | undefined {
  const codec = codecs.get(schema.typeName);
  if (codec === undefined) return undefined;
  try {
    return codec.decode(bytes) as MessageShape<D>;
  } catch (err) {
    fellBack(err);
    return undefined;
  }
}

/**
 * `toBinary`, through the registered codec where there is one. Whatever that codec does not
 * handle (it throws) protobuf-es encodes, and reports its own errors.
 */
export function encodeMessage<D extends DescMessage>(schema: D, message: MessageShape<D>, pooled = true): Uint8Array {
  return encodeWithCodec(schema, message, pooled) ?? toBinary(schema, message);
}

/** `fromBinary`, the same way; bytes fields may be views into `bytes`, as protobuf-es's are. */
export function decodeMessage<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  return decodeWithCodec(schema, bytes) ?? fromBinary(schema, bytes);
}
