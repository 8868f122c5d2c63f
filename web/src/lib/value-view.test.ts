import { describe, expect, it } from "vitest";
import {
  decodeUtf8,
  defaultViewMode,
  fromWire,
  looksLikeJson,
  parseHex,
  prettyJson,
  previewValue,
  renderValue,
  toEditorInput,
  toHexDump,
  toHexPairs,
  toPutValue,
  utf8Length,
  convertEditorText,
} from "./value-view";

const textValue = (text: string) => fromWire({ value: text, valueBytes: new Uint8Array(), binary: false });
const binaryValue = (bytes: number[]) =>
  fromWire({ value: "", valueBytes: new Uint8Array(bytes), binary: true });

describe("fromWire()", () => {
  it("keeps text values as text and bytes", () => {
    const v = textValue("héllo");
    expect(v.text).toBe("héllo");
    expect(Array.from(v.bytes)).toEqual([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
    expect(v.binary).toBe(false);
  });
  it("keeps binary values byte-exact and decodes them only when valid UTF-8", () => {
    expect(binaryValue([0x68, 0x69]).text).toBe("hi");
    const v = binaryValue([0xff, 0x00, 0xfe]);
    expect(v.text).toBeUndefined();
    expect(Array.from(v.bytes)).toEqual([0xff, 0x00, 0xfe]);
  });
});

describe("decodeUtf8()", () => {
  it("refuses invalid sequences instead of replacing them", () => {
    expect(decodeUtf8(new Uint8Array([0xc3]))).toBeUndefined();
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe("\ufeffA");
  });
});

describe("toHexDump()", () => {
  it("shows offsets, hex and printable ASCII", () => {
    const dump = toHexDump(new TextEncoder().encode("Hello, ringkv!\n\u0000xyz"));
    const lines = dump.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("00000000  48 65 6c 6c 6f 2c 20 72 69 6e 67 6b 76 21 0a 00  |Hello, ringkv!..|");
    expect(lines[1]).toBe(`00000010  78 79 7a${" ".repeat(39)}  |xyz|`);
  });
  it("says so for an empty value", () => {
    expect(toHexDump(new Uint8Array())).toBe("(empty)");
  });
});

describe("parseHex()", () => {
  it("accepts pairs with spaces, 0x prefixes and separators", () => {
    const parsed = parseHex("0xDE ad:be,ef\n00");
    expect(parsed.ok && Array.from(parsed.value)).toEqual([0xde, 0xad, 0xbe, 0xef, 0x00]);
  });
  it("round-trips toHexPairs()", () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    const parsed = parseHex(toHexPairs(bytes));
    expect(parsed.ok && Array.from(parsed.value)).toEqual(Array.from(bytes));
  });
  it("explains bad input", () => {
    expect(parseHex("abc")).toEqual({ ok: false, error: "hex needs an even number of digits (two per byte)" });
    expect(parseHex("zz")).toEqual({ ok: false, error: '"z" is not a hex digit' });
  });
});

describe("prettyJson()", () => {
  it("indents valid JSON and reports invalid JSON", () => {
    expect(prettyJson('{"a":[1,2]}')).toEqual({ ok: true, value: '{\n  "a": [\n    1,\n    2\n  ]\n}' });
    expect(prettyJson("{nope").ok).toBe(false);
  });
  it("only calls objects and arrays JSON documents", () => {
    expect(looksLikeJson(' {"a":1} ')).toBe(true);
    expect(looksLikeJson("[1]")).toBe(true);
    expect(looksLikeJson("42")).toBe(false);
    expect(looksLikeJson("{oops")).toBe(false);
  });
});

describe("defaultViewMode()", () => {
  it("picks hex for non-text, json for documents, text otherwise", () => {
    expect(defaultViewMode(binaryValue([0xff]))).toBe("hex");
    expect(defaultViewMode(textValue('{"x":1}'))).toBe("json");
    expect(defaultViewMode(textValue("plain"))).toBe("text");
  });
});

describe("renderValue()", () => {
  it("falls back with a note when the mode does not fit", () => {
    expect(renderValue(textValue("plain"), "json").note).toMatch(/^Not valid JSON/);
    expect(renderValue(binaryValue([0xff]), "text")).toEqual({
      content: "00000000  ff" + " ".repeat(45) + "  |.|",
      note: "The value is not valid UTF-8 text; showing hex.",
    });
    expect(renderValue(textValue('{"x":1}'), "json")).toEqual({ content: '{\n  "x": 1\n}' });
  });
});

describe("previewValue()", () => {
  it("shortens long text to one line", () => {
    expect(previewValue(textValue("a\n  b"))).toBe("a b");
    expect(previewValue(textValue("x".repeat(100)), 10)).toBe("xxxxxxxxx…");
  });
  it("previews binary as hex", () => {
    expect(previewValue(binaryValue([0xff, 0x00]))).toBe("ff 00");
    expect(previewValue(binaryValue(new Array(40).fill(0xab)), 12)).toBe("ab ab ab ab …");
  });
});

describe("toPutValue() and toEditorInput()", () => {
  it("sends text as value and hex as value_bytes", () => {
    expect(toPutValue("hi", "text")).toEqual({ ok: true, value: { value: "hi" } });
    const put = toPutValue("ff 00", "hex");
    expect(put.ok && "valueBytes" in put.value && Array.from(put.value.valueBytes)).toEqual([0xff, 0]);
    expect(toPutValue("f", "hex").ok).toBe(false);
  });
  it("edits binary values as hex and text values as text", () => {
    expect(toEditorInput(binaryValue([0xde, 0xad]))).toEqual({ text: "de ad", encoding: "hex" });
    expect(toEditorInput(textValue("x"))).toEqual({ text: "x", encoding: "text" });
  });
});

describe("utf8Length()", () => {
  it("counts encoded bytes, not characters", () => {
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("😀")).toBe(4);
  });
});

describe("convertEditorText()", () => {
  it("turns text into hex pairs of its UTF-8 and back", () => {
    expect(convertEditorText("hé", "text", "hex")).toEqual({ ok: true, value: "68 c3 a9" });
    expect(convertEditorText("68 c3 a9", "hex", "text")).toEqual({ ok: true, value: "hé" });
    expect(convertEditorText("same", "text", "text")).toEqual({ ok: true, value: "same" });
  });
  it("refuses to turn non-UTF-8 bytes or bad hex into text", () => {
    expect(convertEditorText("ff", "hex", "text").ok).toBe(false);
    expect(convertEditorText("f", "hex", "text").ok).toBe(false);
  });
});
