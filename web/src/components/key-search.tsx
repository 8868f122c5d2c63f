/**
 * The Keys toolbar: search by prefix, page size, refresh, and "New key". Submitting a prefix
 * restarts paging from the first page.
 */
import { useState, type FormEvent } from "react";
import { pageSizes } from "../lib/paging";

interface Props {
  prefix: string;
  limit: number;
  onSearch(prefix: string): void;
  onLimit(limit: number): void;
  onRefresh(): void;
  onCreate(): void;
}

/** A search form and actions. */
export function KeySearch({ prefix, limit, onSearch, onLimit, onRefresh, onCreate }: Props) {
  const [text, setText] = useState(prefix);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(text);
  };
  return (
    <div className="key-toolbar">
      <form className="key-search" onSubmit={submit} role="search">
        <label htmlFor="key-prefix">Key prefix</label>
        <div className="input-row">
          <input
            id="key-prefix"
            data-testid="prefix-input"
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="all keys"
            autoComplete="off"
            spellCheck={false}
          />
          <button type="submit" data-testid="prefix-search">
            Search
          </button>
        </div>
      </form>
      <div className="field">
        <label htmlFor="page-size">Per page</label>
        <select id="page-size" value={limit} onChange={(event) => onLimit(Number(event.target.value))} data-testid="page-size">
          {pageSizes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar-actions">
        <button type="button" className="secondary" onClick={onRefresh} data-testid="keys-refresh">
          Refresh
        </button>
        <button type="button" onClick={onCreate} data-testid="new-key">
          New key
        </button>
      </div>
    </div>
  );
}
