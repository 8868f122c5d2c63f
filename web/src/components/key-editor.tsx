/**
 * Creating or editing a key. Every save is a compare-and-set on the version the edit started
 * from (0 = "only if absent" for a new key), so a concurrent change is reported as a conflict
 * (ConflictNotice) instead of being silently overwritten.
 */
import { useState, type FormEvent, type KeyboardEvent } from "react";
import { UNARY_TIMEOUT_MS } from "../api/api";
import { useApi } from "../api/api-context";
import { detectConflict, type Conflict } from "../lib/errors";
import { keyProblem } from "../lib/key-rules";
import {
  convertEditorText,
  prettyJson,
  toEditorInput,
  toPutValue,
  type EditEncoding,
  type StoredValue,
} from "../lib/value-view";
import { ConflictNotice } from "./conflict-notice";
import { ErrorMessage } from "./error-message";

interface Props {
  /** "create" lets the user type the key; "edit" fixes it. */
  mode: "create" | "edit";
  initialKey: string;
  /** The version the edit is based on; 0n for a new key. */
  baseVersion: bigint;
  initialValue: StoredValue | undefined;
  onSaved(key: string, version: bigint): void;
  onCancel(): void;
  /** Leave the editor and show the key as stored now. */
  onShowLatest(key: string): void;
}

/** The editor form. */
export function KeyEditor({ mode, initialKey, baseVersion, initialValue, onSaved, onCancel, onShowLatest }: Props) {
  const api = useApi();
  // Computed once: converting a large binary value to hex on every keystroke would be wasteful.
  const [start] = useState(() => (initialValue ? toEditorInput(initialValue) : { text: "", encoding: "text" as EditEncoding }));
  const [keyText, setKeyText] = useState(initialKey);
  const [text, setText] = useState(start.text);
  const [encoding, setEncoding] = useState<EditEncoding>(start.encoding);
  const [keyIssue, setKeyIssue] = useState<string | undefined>(undefined);
  const [valueIssue, setValueIssue] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [conflict, setConflict] = useState<{ conflict: Conflict; expected: bigint } | undefined>(undefined);
  const key = mode === "create" ? keyText : initialKey;

  const save = async (expected: bigint) => {
    const badKey = keyProblem(key);
    setKeyIssue(badKey);
    const put = toPutValue(text, encoding);
    setValueIssue(put.ok ? undefined : `Not valid hex: ${put.error}.`);
    if (badKey || !put.ok) return;
    setBusy(true);
    setError(undefined);
    setConflict(undefined);
    try {
      const response = await api.kv.put({ key, ...put.value, expectedVersion: expected }, { timeoutMs: UNARY_TIMEOUT_MS });
      if (!response.success) throw new Error("the node answered success=false without an error");
      onSaved(key, response.version);
    } catch (err) {
      const c = detectConflict(err);
      if (c) setConflict({ conflict: c, expected });
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(baseVersion);
  };
  const shortcut = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void save(baseVersion);
    }
  };
  const changeEncoding = (next: EditEncoding) => {
    const converted = convertEditorText(text, encoding, next);
    if (!converted.ok) {
      setValueIssue(`Cannot show as ${next}: ${converted.error}.`);
      return;
    }
    setValueIssue(undefined);
    setText(converted.value);
    setEncoding(next);
  };
  const formatJson = () => {
    const pretty = prettyJson(text);
    if (pretty.ok) {
      setText(pretty.value);
      setValueIssue(undefined);
    } else setValueIssue(`Not valid JSON: ${pretty.error}.`);
  };

  const current = conflict?.conflict.currentVersion;
  return (
    <form className="key-editor" onSubmit={submit} onKeyDown={shortcut} noValidate data-testid="key-editor" aria-labelledby="key-editor-title">
      <h3 id="key-editor-title">{mode === "create" ? "New key" : "Edit key"}</h3>
      <div className="field">
        <label htmlFor="editor-key">Key</label>
        <input
          id="editor-key"
          data-testid="editor-key"
          value={key}
          onChange={(event) => setKeyText(event.target.value)}
          readOnly={mode === "edit"}
          aria-invalid={keyIssue !== undefined}
          aria-describedby={keyIssue ? "editor-key-problem" : undefined}
          autoComplete="off"
          spellCheck={false}
          autoFocus={mode === "create"}
        />
        {keyIssue && (
          <p id="editor-key-problem" className="field-problem">
            {keyIssue}
          </p>
        )}
      </div>
      <div className="field">
        <div className="label-row">
          <label htmlFor="editor-value">Value {encoding === "hex" ? "(hex bytes)" : "(text)"}</label>
          <span className="label-tools">
            <label htmlFor="editor-encoding" className="visually-hidden">
              Encoding
            </label>
            <select id="editor-encoding" value={encoding} onChange={(event) => changeEncoding(event.target.value as EditEncoding)} data-testid="editor-encoding">
              <option value="text">Text (UTF-8)</option>
              <option value="hex">Bytes (hex)</option>
            </select>
            {encoding === "text" && (
              <button type="button" className="secondary small" onClick={formatJson}>
                Format JSON
              </button>
            )}
          </span>
        </div>
        <textarea
          id="editor-value"
          data-testid="editor-value"
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={10}
          spellCheck={false}
          aria-invalid={valueIssue !== undefined}
          aria-describedby={valueIssue ? "editor-value-problem" : "editor-hint"}
          autoFocus={mode === "edit"}
        />
        {valueIssue ? (
          <p id="editor-value-problem" className="field-problem">
            {valueIssue}
          </p>
        ) : (
          <p id="editor-hint" className="muted small">
            {mode === "edit"
              ? `Saving writes only if the key is still at version ${baseVersion}. Ctrl+Enter saves.`
              : "Saving creates the key only if it does not exist yet. Ctrl+Enter saves."}
          </p>
        )}
      </div>
      {conflict && (
        <ConflictNotice
          keyName={key}
          expectedVersion={conflict.expected}
          conflict={conflict.conflict}
          busy={busy}
          onShowLatest={() => onShowLatest(key)}
          {...(current !== undefined ? { onOverwrite: () => void save(current) } : {})}
        />
      )}
      <ErrorMessage error={error} action="Saving" />
      <div className="actions">
        <button type="submit" disabled={busy} data-testid="editor-save">
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy} data-testid="editor-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}
