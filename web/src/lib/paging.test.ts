import { describe, expect, it } from "vitest";
import { currentToken, hasNext, hasPrevious, initialPaging, pageLabel, pagingReducer, type PagingAction } from "./paging";

const run = (...actions: PagingAction[]) => actions.reduce(pagingReducer, initialPaging());

describe("pagingReducer()", () => {
  it("starts on the first page with an empty token", () => {
    const s = initialPaging();
    expect(currentToken(s)).toBe("");
    expect(hasNext(s)).toBe(false);
    expect(hasPrevious(s)).toBe(false);
    expect(pageLabel(s)).toBe("Page 1");
  });

  it("follows next_page_token forward and remembers tokens to go back", () => {
    const s = run({ type: "loaded", nextPageToken: "t1" }, { type: "next" }, { type: "loaded", nextPageToken: "t2" }, { type: "next" });
    expect(currentToken(s)).toBe("t2");
    expect(pageLabel(s)).toBe("Page 3");
    const back = pagingReducer(s, { type: "previous" });
    expect(currentToken(back)).toBe("t1");
    expect(hasPrevious(back)).toBe(true);
    const first = pagingReducer(back, { type: "previous" });
    expect(currentToken(first)).toBe("");
    expect(hasPrevious(first)).toBe(false);
  });

  it("stops at the last page (empty next_page_token)", () => {
    const s = run({ type: "loaded", nextPageToken: "" });
    expect(hasNext(s)).toBe(false);
    expect(pagingReducer(s, { type: "next" })).toBe(s);
  });

  it("does not move forward before the current page has loaded", () => {
    const s = run({ type: "loaded", nextPageToken: "t1" }, { type: "next" });
    expect(hasNext(s)).toBe(false);
    expect(pagingReducer(s, { type: "next" })).toBe(s);
  });

  it("replaces forward history when the user pages on from an earlier page", () => {
    const s = run(
      { type: "loaded", nextPageToken: "t1" },
      { type: "next" },
      { type: "loaded", nextPageToken: "t2" },
      { type: "previous" },
      { type: "loaded", nextPageToken: "t1b" },
      { type: "next" },
    );
    expect(s.tokens).toEqual(["", "t1b"]);
    expect(currentToken(s)).toBe("t1b");
  });

  it("resets to the first page on a new prefix or page size, keeping the other", () => {
    const s = run({ type: "setLimit", limit: 50 }, { type: "loaded", nextPageToken: "t1" }, { type: "next" });
    const searched = pagingReducer(s, { type: "search", prefix: "user/" });
    expect(searched).toMatchObject({ prefix: "user/", limit: 50, page: 0, tokens: [""] });
    const resized = pagingReducer(searched, { type: "setLimit", limit: 10 });
    expect(resized).toMatchObject({ prefix: "user/", limit: 10, page: 0 });
  });

  it("bumps reload so the same page is fetched again", () => {
    const s = run({ type: "loaded", nextPageToken: "t1" });
    const r = pagingReducer(s, { type: "reload" });
    expect(r.reload).toBe(s.reload + 1);
    expect(currentToken(r)).toBe(currentToken(s));
  });
});
