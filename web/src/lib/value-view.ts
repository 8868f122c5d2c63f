/**
 * How a stored value is shown and edited: as text, as pretty-printed JSON, or as a hex dump.
 *
 * The wire carries a value two ways (kvstore.proto): `value` (UTF-8 text) or `value_bytes` with
 * `binary` set. This module turns either into one {@link StoredValue} so the viewer never cares
 * which field the server used, and parses the editor's text back into what to send.
 */

/** A value as the inspector holds it: always the exact bytes, plus text when they are UTF-8. */
export interface StoredValue {
  /** The exact bytes of the value. */
  bytes: Uint8Array;
  /** The value as text, or undefined when the bytes are not valid UTF-8. */
  text: string | undefined;
  /** Whether it was written as bytes (`value_bytes`), as the server reports it. */
  binary: boolean;
}

/** The ways a value can be viewed. */
export type ViewMode = "text" | "json" | "hex";

/** The fields of GetResponse / KeyValue that carry a value. */
export interface WireValue {
  value: string;
  valueBytes: Uint8Array;
  binary: boolean;
}

const encoder = new TextEncoder();

/** Decodes UTF-8 strictly: undefined for invalid sequences rather than U+FFFD replacements. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Builds a StoredValue from GetResponse or KeyValue fields. */
export function fromWire(wire: WireValue): StoredValue {
  if (wire.binary) {
    return { bytes: wire.valueBytes, text: decodeUtf8(wire.valueBytes), binary: true };
  }
  return { bytes: encoder.encode(wire.value), text: wire.value, binary: false };
}

/** Formats bytes as a classic hex dump: offset, 16 bytes in hex, printable ASCII. */
export function toHexDump(bytes: Uint8Array, width = 16): string {
  if (bytes.length === 0) return "(empty)";
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += width) {
    const row = bytes.subarray(offset, offset + width);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(width * 3 - 1)}  |${ascii}|`);
  }
  return lines.join("\n");
}

/** Bytes as space-separated hex pairs ("48 65 6c"), the editor's format for binary values. */
export function toHexPairs(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** The result of parsing user input: a value or a message saying what is wrong. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses hex typed by a person: pairs of hex digits, with any whitespace, optional "0x" prefixes
 * and ":" or "," separators ignored.
 */
export function parseHex(input: string): Parsed<Uint8Array> {
  const digits = input.replace(/0x/gi, "").replace(/[\s:,]/g, "");
  const bad = /[^0-9a-f]/i.exec(digits);
  if (bad) return { ok: false, error: `"${bad[0]}" is not a hex digit` };
  if (digits.length % 2 !== 0) return { ok: false, error: "hex needs an even number of digits (two per byte)" };
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return { ok: true, value: bytes };
}

/** Pretty-prints JSON text with two-space indentation, or says why it is not JSON. */
export function prettyJson(text: string): Parsed<string> {
  try {
    return { ok: true, value: JSON.stringify(JSON.parse(text), null, 2) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether text parses as a JSON object or array (a bare number or string is just text). */
export function looksLikeJson(text: string): boolean {
  const trimmedText = text.trim();
  if (!(trimmedText.startsWith("{") || trimmedText.startsWith("["))) return false;
  return prettyJson(trimmedText).ok;
}

/** The most useful first view: hex for non-text bytes, JSON for JSON documents, else text. */
export function defaultViewMode(value: StoredValue): ViewMode {
  if (value.text === undefined) return "hex";
  if (looksLikeJson(value.text)) return "json";
  return "text";
}

/** What the viewer shows for a mode: the content, and a note when the mode does not fit. */
export interface ValueView {
  content: string;
  note?: string;
}

/** Renders a value for a view mode, falling back (with a note) when the mode does not apply. */
export function renderValue(value: StoredValue, mode: ViewMode): ValueView {
  if (mode === "hex") return { content: toHexDump(value.bytes) };
  if (value.text === undefined) {
    return { content: toHexDump(value.bytes), note: "The value is not valid UTF-8 text; showing hex." };
  }
  if (mode === "json") {
    const pretty = prettyJson(value.text);
    if (pretty.ok) return { content: pretty.value };
    return { content: value.text, note: `Not valid JSON (${pretty.error}); showing text.` };
  }
  return { content: value.text };
}

/** A one-line preview for lists: text cut to `max` characters, or a hex start for binary. */
export function previewValue(value: StoredValue, max = 60): string {
  if (value.text === undefined) {
    const hex = toHexPairs(value.bytes.subarray(0, Math.ceil(max / 3)));
    return value.bytes.length * 3 > max ? `${hex} …` : hex;
  }
  const oneLine = value.text.replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** How the editor encodes what the user typed. */
export type EditEncoding = "text" | "hex";

/** What a Put carries for an edited value: `value` for text, `valueBytes` for bytes. */
export type PutValue = { value: string } | { valueBytes: Uint8Array };

/** Turns the editor's text into the Put fields, validating hex input. */
export function toPutValue(input: string, encoding: EditEncoding): Parsed<PutValue> {
  if (encoding === "text") return { ok: true, value: { value: input } };
  const bytes = parseHex(input);
  return bytes.ok ? { ok: true, value: { valueBytes: bytes.value } } : bytes;
}

/** The editor's starting text and encoding for a stored value. */
export function toEditorInput(value: StoredValue): { text: string; encoding: EditEncoding } {
  if (value.binary) return { text: toHexPairs(value.bytes), encoding: "hex" };
  return { text: value.text ?? "", encoding: "text" };
}

/** Size of a value in bytes as stored. */
export function valueSize(value: StoredValue): number {
  return value.bytes.length;
}

/** Size of a string encoded as UTF-8, e.g. to check the 4 KiB key limit before calling. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Converts the editor's text when the user switches encoding: text → hex pairs of its UTF-8, hex
 * → text when the bytes are valid UTF-8 (refused otherwise, so nothing is silently mangled).
 */
export function convertEditorText(text: string, from: EditEncoding, to: EditEncoding): Parsed<string> {
  if (from === to) return { ok: true, value: text };
  if (to === "hex") return { ok: true, value: toHexPairs(encoder.encode(text)) };
  const bytes = parseHex(text);
  if (!bytes.ok) return bytes;
  const decoded = decodeUtf8(bytes.value);
  return decoded === undefined
    ? { ok: false, error: "these bytes are not valid UTF-8 text; keep editing them as hex" }
    : { ok: true, value: decoded };
}
