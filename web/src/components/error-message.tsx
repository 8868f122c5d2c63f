/**
 * A failed call as a person should see it: what was being done, the Connect code, the server's
 * message and, when there is one, what to do about it.
 */
import { describeError } from "../lib/errors";

interface Props {
  /** The failure (usually a ConnectError). */
  error: unknown;
  /** What the page was doing: "Loading keys". */
  action: string;
  /** "inline" for a compact line inside a panel. */
  variant?: "box" | "inline";
}

/** Renders nothing for an undefined error, so callers can pass `state.error` directly. */
export function ErrorMessage({ error, action, variant = "box" }: Props) {
  if (error === undefined || error === null) return null;
  const d = describeError(error);
  return (
    <div className={variant === "box" ? "error-box" : "error-inline"} role="alert" data-testid="error-message">
      <strong>{action} failed.</strong>{" "}
      <span className="error-code" data-testid="error-code">
        {d.code}
      </span>{" "}
      <span className="error-detail">{d.message}</span>
      {d.hint && <span className="error-hint"> {d.hint}</span>}
    </div>
  );
}
