/**
 * The Keys tab: browse by prefix a page at a time (List with page tokens), open a key, create,
 * edit and delete. Owns the paging state (lib/paging.ts) and which key is open; the list and
 * the detail/editor are separate components.
 */
import { useEffect, useReducer, useState } from "react";
import { UNARY_TIMEOUT_MS } from "../api/api";
import { useApi } from "../api/api-context";
import { useAsync } from "../hooks/use-async";
import { currentToken, hasNext, hasPrevious, initialPaging, pageLabel, pagingReducer } from "../lib/paging";
import type { StoredValue } from "../lib/value-view";
import { ErrorMessage } from "./error-message";
import { KeyDetail } from "./key-detail";
import { KeyEditor } from "./key-editor";
import { KeyList } from "./key-list";
import { KeySearch } from "./key-search";

/** What the right-hand side shows. */
type Selection =
  | { kind: "none" }
  | { kind: "view"; key: string }
  | { kind: "edit"; key: string; version: bigint; value: StoredValue }
  | { kind: "create" };

/** List, paging and the detail/editor for the chosen key. */
export function KeysPanel() {
  const api = useApi();
  const [paging, dispatch] = useReducer(pagingReducer, undefined, () => initialPaging());
  const [selection, setSelection] = useState<Selection>({ kind: "none" });
  const [detailReload, setDetailReload] = useState(0);
  const [status, setStatus] = useState("");

  const list = useAsync(
    (signal) =>
      api.kv.list(
        { prefix: paging.prefix, pageToken: currentToken(paging), limit: paging.limit, keysOnly: false },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      ),
    [api, paging.prefix, paging.limit, paging.tokens, paging.page, paging.reload],
  );
  const nextPageToken = list.data?.nextPageToken;
  useEffect(() => {
    if (nextPageToken !== undefined) dispatch({ type: "loaded", nextPageToken });
  }, [nextPageToken, list.data]);

  const refresh = () => {
    dispatch({ type: "reload" });
    setDetailReload((n) => n + 1);
  };
  const selectedKey = selection.kind === "view" || selection.kind === "edit" ? selection.key : undefined;

  return (
    <div className="keys-panel">
      <KeySearch
        prefix={paging.prefix}
        limit={paging.limit}
        onSearch={(prefix) => dispatch({ type: "search", prefix })}
        onLimit={(limit) => dispatch({ type: "setLimit", limit })}
        onRefresh={refresh}
        onCreate={() => {
          setStatus("");
          setSelection({ kind: "create" });
        }}
      />
      <p className="status-line" role="status" data-testid="keys-status">
        {status}
      </p>
      <div className="keys-layout">
        <div className="keys-list-column">
          <ErrorMessage error={list.error} action="Listing keys" />
          <KeyList
            items={list.data?.items}
            loading={list.loading}
            selectedKey={selectedKey}
            pageLabel={pageLabel(paging)}
            hasPrevious={hasPrevious(paging)}
            hasNext={hasNext(paging)}
            prefix={paging.prefix}
            onSelect={(key) => {
              setStatus("");
              setSelection({ kind: "view", key });
            }}
            onPrevious={() => dispatch({ type: "previous" })}
            onNext={() => dispatch({ type: "next" })}
          />
        </div>
        <div className="keys-detail-column">
          {selection.kind === "none" && (
            <p className="placeholder">Choose a key to see its value, or create a new one.</p>
          )}
          {selection.kind === "view" && (
            <KeyDetail
              key={selection.key}
              keyName={selection.key}
              reloadToken={detailReload}
              onEdit={(version, value) => setSelection({ kind: "edit", key: selection.key, version, value })}
              onDeleted={(key) => {
                setStatus(`Deleted “${key}”.`);
                setSelection({ kind: "none" });
                dispatch({ type: "reload" });
              }}
              onStale={() => dispatch({ type: "reload" })}
              onClose={() => setSelection({ kind: "none" })}
            />
          )}
          {(selection.kind === "edit" || selection.kind === "create") && (
            <KeyEditor
              key={selection.kind === "edit" ? `edit:${selection.key}:${selection.version}` : "create"}
              mode={selection.kind}
              initialKey={selection.kind === "edit" ? selection.key : ""}
              baseVersion={selection.kind === "edit" ? selection.version : 0n}
              initialValue={selection.kind === "edit" ? selection.value : undefined}
              onSaved={(key, version) => {
                setStatus(`Saved “${key}” (version ${version}).`);
                setSelection({ kind: "view", key });
                setDetailReload((n) => n + 1);
                dispatch({ type: "reload" });
              }}
              onCancel={() => setSelection(selection.kind === "edit" ? { kind: "view", key: selection.key } : { kind: "none" })}
              onShowLatest={(key) => {
                setSelection({ kind: "view", key });
                setDetailReload((n) => n + 1);
                dispatch({ type: "reload" });
              }}
            />
          )}
        </div>
      </div>
    </div>
  );
}
