/**
 * One key as it is now: a fresh linearizable Get (not the possibly older List row), its version,
 * size and value in a chosen view, with Edit and Delete. Delete asks first (in-page dialog) and
 * is a compare-and-delete on the shown version, so it never removes a value the user has not
 * seen.
 */
import { useEffect, useRef, useState } from "react";
import { UNARY_TIMEOUT_MS } from "../api/api";
import { useApi } from "../api/api-context";
import { useAsync } from "../hooks/use-async";
import { detectConflict, type Conflict } from "../lib/errors";
import { formatBytes } from "../lib/format";
import { defaultViewMode, fromWire, type StoredValue, type ViewMode } from "../lib/value-view";
import { ConfirmDialog } from "./confirm-dialog";
import { ConflictNotice } from "./conflict-notice";
import { ErrorMessage } from "./error-message";
import { ValueViewer } from "./value-viewer";

interface Props {
  keyName: string;
  /** Bumped by the parent to read the key again. */
  reloadToken: number;
  onEdit(version: bigint, value: StoredValue): void;
  onDeleted(key: string): void;
  /** The key changed under the user (a conflict was seen): the list should be refreshed too. */
  onStale(): void;
  onClose(): void;
}

/** The selected key's details and actions. */
export function KeyDetail({ keyName, reloadToken, onEdit, onDeleted, onStale, onClose }: Props) {
  const api = useApi();
  const [localReload, setLocalReload] = useState(0);
  const got = useAsync(
    (signal) => api.kv.get({ key: keyName }, { signal, timeoutMs: UNARY_TIMEOUT_MS }),
    [api, keyName, reloadToken, localReload],
  );
  const [mode, setMode] = useState<ViewMode | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(undefined);
  const [conflict, setConflict] = useState<{ conflict: Conflict; expected: bigint } | undefined>(undefined);

  const headingRef = useRef<HTMLHeadingElement>(null);
  // Coming from the editor (save, cancel), the focused element is gone; keyboard users continue
  // from this heading instead of the top of the page.
  useEffect(() => {
    if (document.activeElement === document.body) headingRef.current?.focus();
  }, []);

  const response = got.data;
  const value = response?.found ? fromWire(response) : undefined;

  const remove = async () => {
    if (!response) return;
    setDeleting(true);
    setDeleteError(undefined);
    try {
      await api.kv.delete({ key: keyName, expectedVersion: response.version }, { timeoutMs: UNARY_TIMEOUT_MS });
      setConfirming(false);
      onDeleted(keyName);
    } catch (err) {
      setConfirming(false);
      const c = detectConflict(err);
      if (c) setConflict({ conflict: c, expected: response.version });
      else setDeleteError(err);
    } finally {
      setDeleting(false);
    }
  };

  const reread = () => {
    if (conflict) onStale();
    setConflict(undefined);
    setDeleteError(undefined);
    setLocalReload((n) => n + 1);
  };

  return (
    <section className="key-detail" aria-labelledby="key-detail-title" data-testid="key-detail">
      <header className="detail-header">
        <h3 id="key-detail-title" ref={headingRef} tabIndex={-1}>
          <code data-testid="detail-key">{keyName}</code>
        </h3>
        <button type="button" className="secondary small" onClick={onClose} aria-label="Close key details">
          Close
        </button>
      </header>
      <ErrorMessage error={got.error} action="Reading the key" />
      {got.loading && !response && <p className="muted">Reading…</p>}
      {response && !response.found && (
        <p className="empty" data-testid="detail-missing">
          This key does not exist (any more).
        </p>
      )}
      {response && value && (
        <>
          <p className="meta">
            Version <strong data-testid="detail-version">{response.version.toString()}</strong> ·{" "}
            {formatBytes(value.bytes.length)}
            {value.binary && <span className="badge">bytes</span>}
          </p>
          <ValueViewer value={value} mode={mode ?? defaultViewMode(value)} onModeChange={setMode} />
        </>
      )}
      {conflict && (
        <ConflictNotice
          keyName={keyName}
          expectedVersion={conflict.expected}
          conflict={conflict.conflict}
          onShowLatest={reread}
        />
      )}
      <ErrorMessage error={deleteError} action="Deleting the key" />
      <div className="actions">
        <button type="button" className="secondary" onClick={reread} data-testid="detail-reload">
          Reload
        </button>
        {response && value && (
          <>
            <button type="button" onClick={() => onEdit(response.version, value)} data-testid="detail-edit">
              Edit
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConflict(undefined);
                setConfirming(true);
              }}
              data-testid="detail-delete"
            >
              Delete…
            </button>
          </>
        )}
      </div>
      <ConfirmDialog
        open={confirming}
        title="Delete this key?"
        confirmLabel="Delete"
        busy={deleting}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          <code>{keyName}</code> (version {response?.version.toString() ?? "?"}) will be removed from every replica. This
          cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
