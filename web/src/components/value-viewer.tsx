/**
 * Shows a stored value as text, pretty-printed JSON or a hex dump, with a note when the chosen
 * view does not fit the value (e.g. JSON view of plain text). Rendering rules live in
 * lib/value-view.ts.
 */
import { useId } from "react";
import { renderValue, type StoredValue, type ViewMode } from "../lib/value-view";

interface Props {
  value: StoredValue;
  mode: ViewMode;
  onModeChange(mode: ViewMode): void;
}

const modes: ReadonlyArray<{ id: ViewMode; label: string }> = [
  { id: "text", label: "Text" },
  { id: "json", label: "JSON" },
  { id: "hex", label: "Hex" },
];

/** A view-mode switch (radio group) and the rendered value. */
export function ValueViewer({ value, mode, onModeChange }: Props) {
  const name = useId();
  const view = renderValue(value, mode);
  return (
    <div className="value-viewer">
      <fieldset className="segmented">
        <legend className="visually-hidden">Show the value as</legend>
        {modes.map((m) => (
          <label key={m.id} className={mode === m.id ? "is-checked" : ""}>
            <input
              type="radio"
              name={name}
              value={m.id}
              checked={mode === m.id}
              onChange={() => onModeChange(m.id)}
              data-testid={`view-mode-${m.id}`}
            />
            {m.label}
          </label>
        ))}
      </fieldset>
      {view.note && <p className="note">{view.note}</p>}
      <pre className="value" data-testid="value-view" tabIndex={0} aria-label="Value">
        {view.content}
      </pre>
    </div>
  );
}
