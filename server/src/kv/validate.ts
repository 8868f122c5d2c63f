import { ringkvError } from "../errors.js";

/** Longest key accepted, in UTF-8 bytes. */
export const maxKeyBytes = 4096;

/**
 * Checks a key: non-empty, well-formed Unicode (JSON can carry lone surrogates that have no
 * UTF-8 form; binary protobuf with invalid UTF-8 is already rejected by the decoder), and at
 * most 4 KiB as UTF-8. Throws InvalidArgument with what to fix.
 */
export function validateKey(key: string, field = "key"): void {
  if (key.length === 0) throw ringkvError("invalid_key", `${field} must not be empty`);
  if (!key.isWellFormed()) throw ringkvError("invalid_key", `${field} is not valid UTF-8 (it contains a lone surrogate)`);
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > maxKeyBytes) throw ringkvError("invalid_key", `${field} is ${bytes} bytes; the limit is ${maxKeyBytes} bytes (UTF-8)`);
}

/** Checks a value's size against the node's limit. */
export function validateValueSize(bytes: number, maxValueBytes: number): void {
  if (bytes > maxValueBytes) {
    throw ringkvError("invalid_value", `value is ${bytes} bytes; the limit is ${maxValueBytes} bytes (--max-value-bytes)`);
  }
}

/** Checks a string value is well-formed Unicode. */
export function validateTextValue(value: string): void {
  if (!value.isWellFormed()) throw ringkvError("invalid_value", "value is not valid UTF-8 (it contains a lone surrogate); send binary data in value_bytes");
}
