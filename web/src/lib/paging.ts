/**
 * Paging state for KeyValueService.List. The server pages forward only (an opaque
 * `next_page_token`), so going back means remembering the token that fetched each earlier page.
 * This reducer keeps that stack, the prefix and the page size, and is the single place that
 * decides which `page_token` the next List call uses.
 */

/** Page sizes offered in the UI; the server allows up to 1000. */
export const pageSizes = [10, 25, 50, 100] as const;

export interface PagingState {
  /** Only keys starting with this. */
  prefix: string;
  /** Items per page (ListRequest.limit). */
  limit: number;
  /** tokens[i] is the page_token that fetches page i; tokens[0] is always "". */
  tokens: string[];
  /** The page being shown, 0-based. */
  page: number;
  /** The next_page_token of the shown page once loaded; "" when it was the last page. */
  nextToken: string | undefined;
  /** Bumped to refetch the same page (after a put or delete) without moving. */
  reload: number;
}

export type PagingAction =
  | { type: "search"; prefix: string }
  | { type: "setLimit"; limit: number }
  | { type: "loaded"; nextPageToken: string }
  | { type: "next" }
  | { type: "previous" }
  | { type: "first" }
  | { type: "reload" };

/** The state before any page is loaded. */
export function initialPaging(prefix = "", limit = 25): PagingState {
  return { prefix, limit, tokens: [""], page: 0, nextToken: undefined, reload: 0 };
}

/** Applies one user action or List answer. */
export function pagingReducer(state: PagingState, action: PagingAction): PagingState {
  switch (action.type) {
    case "search":
      return { ...initialPaging(action.prefix, state.limit), reload: state.reload + 1 };
    case "setLimit":
      return { ...initialPaging(state.prefix, action.limit), reload: state.reload + 1 };
    case "loaded":
      return { ...state, nextToken: action.nextPageToken };
    case "next": {
      if (!hasNext(state)) return state;
      const tokens = state.tokens.slice(0, state.page + 1);
      tokens.push(state.nextToken as string);
      return { ...state, tokens, page: state.page + 1, nextToken: undefined };
    }
    case "previous":
      if (!hasPrevious(state)) return state;
      return { ...state, page: state.page - 1, nextToken: undefined };
    case "first":
      return { ...state, page: 0, nextToken: undefined, reload: state.reload + 1 };
    case "reload":
      return { ...state, reload: state.reload + 1 };
  }
}

/** The page_token for the List call of the shown page. */
export function currentToken(state: PagingState): string {
  return state.tokens[state.page] ?? "";
}

/** Whether a further page exists (known only once the current page loaded). */
export function hasNext(state: PagingState): boolean {
  return state.nextToken !== undefined && state.nextToken !== "";
}

/** Whether there is an earlier page. */
export function hasPrevious(state: PagingState): boolean {
  return state.page > 0;
}

/** "Page 2" for people (1-based). */
export function pageLabel(state: PagingState): string {
  return `Page ${state.page + 1}`;
}
