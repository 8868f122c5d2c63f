/**
 * An in-page confirmation (a modal <dialog>), used before destructive actions. Not
 * window.confirm: that blocks the page, cannot be styled, and browser automation has to answer
 * it out of band. The safe choice (Cancel) has the focus when it opens; Escape cancels.
 */
import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Disables the buttons while the action runs. */
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/** A modal confirmation dialog. */
export function ConfirmDialog({ open, title, children, confirmLabel, busy = false, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      cancelRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-title"
      data-testid="confirm-dialog"
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">
        <button type="button" className="secondary" ref={cancelRef} onClick={onCancel} disabled={busy} data-testid="confirm-cancel">
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy} data-testid="confirm-accept">
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
