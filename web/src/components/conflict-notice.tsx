/**
 * What the user sees when a compare-and-set fails because someone else changed the key first:
 * a plain sentence with both versions, and the two sensible ways on. Nothing is overwritten
 * unless the user chooses to.
 */
import { conflictSentence, type Conflict } from "../lib/errors";

interface Props {
  keyName: string;
  /** The version the user's change was based on (0 = create). */
  expectedVersion: bigint;
  conflict: Conflict;
  busy?: boolean;
  /** Write anyway, based on the current version; absent when that version is unknown. */
  onOverwrite?: () => void;
  /** Drop the user's change and show the key as it is now. */
  onShowLatest(): void;
}

/** A conflict alert with "show latest" and "overwrite" actions. */
export function ConflictNotice({ keyName, expectedVersion, conflict, busy = false, onOverwrite, onShowLatest }: Props) {
  return (
    <div className="conflict" role="alert" data-testid="conflict">
      <p>
        <strong>Conflict.</strong> {conflictSentence(keyName, expectedVersion, conflict)}
      </p>
      {conflict.message && <p className="muted small">Server: {conflict.message}</p>}
      <div className="actions">
        <button type="button" onClick={onShowLatest} disabled={busy} data-testid="conflict-show-latest">
          Discard mine, show latest
        </button>
        {onOverwrite && (
          <button type="button" className="danger" onClick={onOverwrite} disabled={busy} data-testid="conflict-overwrite">
            Overwrite with mine
          </button>
        )}
      </div>
    </div>
  );
}
