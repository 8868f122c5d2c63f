/**
 * One page of keys (KeyValueService.List) as a table with previous/next paging. Each key is a
 * button, so the list works with the keyboard; the selected key is marked.
 */
import type { KeyValue } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { formatBytes } from "../lib/format";
import { fromWire, previewValue } from "../lib/value-view";

interface Props {
  items: readonly KeyValue[] | undefined;
  loading: boolean;
  selectedKey: string | undefined;
  pageLabel: string;
  hasPrevious: boolean;
  hasNext: boolean;
  prefix: string;
  onSelect(key: string): void;
  onPrevious(): void;
  onNext(): void;
}

/** The key table and pager. */
export function KeyList({ items, loading, selectedKey, pageLabel, hasPrevious, hasNext, prefix, onSelect, onPrevious, onNext }: Props) {
  return (
    <div className="key-list" aria-busy={loading}>
      <div className="table-scroll">
        <table data-testid="key-table">
          <caption className="visually-hidden">Keys{prefix ? ` starting with “${prefix}”` : ""}</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col" className="num">Version</th>
              <th scope="col" className="num hide-narrow">Size</th>
              <th scope="col" className="hide-narrow">Value</th>
            </tr>
          </thead>
          <tbody>
            {items?.map((item) => {
              const value = fromWire(item);
              const selected = item.key === selectedKey;
              return (
                <tr key={item.key} className={selected ? "is-selected" : ""} data-testid="key-row" data-key={item.key}>
                  <td className="key-cell">
                    <button type="button" className="link" onClick={() => onSelect(item.key)} aria-current={selected ? "true" : undefined}>
                      {item.key}
                    </button>
                  </td>
                  <td className="num">{item.version.toString()}</td>
                  <td className="num hide-narrow">{formatBytes(value.bytes.length)}</td>
                  <td className="preview hide-narrow">
                    {value.binary && <span className="badge">bytes</span>} {previewValue(value, 48)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {items && items.length === 0 && (
        <p className="empty" data-testid="keys-empty">
          {prefix ? `No keys start with “${prefix}”.` : "No keys yet. Create one with “New key”."}
        </p>
      )}
      {!items && loading && <p className="muted">Loading keys…</p>}
      <nav className="pager" aria-label="Pages of keys">
        <button type="button" className="secondary" onClick={onPrevious} disabled={!hasPrevious} data-testid="page-previous">
          ← Previous
        </button>
        <span data-testid="page-label">{pageLabel}</span>
        <button type="button" className="secondary" onClick={onNext} disabled={!hasNext} data-testid="page-next">
          Next →
        </button>
      </nav>
    </div>
  );
}
