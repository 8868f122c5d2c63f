const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The text form of a value written as bytes: its UTF-8 decoding when valid, otherwise "" (old
 * clients that only know the string field then see an empty value and binary=true tells new
 * clients to read value_bytes).
 */
export function decodeUtf8OrEmpty(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return "";
  }
}
