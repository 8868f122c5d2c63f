/**
 * Catches render errors so a bug in one panel shows a readable message and a retry button
 * instead of unmounting the whole page (React leaves a blank page otherwise).
 */
import { Component, type ErrorInfo, type ReactNode } from "react";
import { errorText } from "../lib/errors";

interface Props {
  /** What is inside, for the message: "the Keys panel". */
  label: string;
  children: ReactNode;
}

interface State {
  error: unknown;
  failed: boolean;
}

/** An error boundary with a "Try again" button that re-renders the children. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, failed: false };

  static getDerivedStateFromError(error: unknown): State {
    return { error, failed: true };
  }

  override componentDidCatch(_error: unknown, _info: ErrorInfo): void {
    // React already reports the error (console in development); the UI below is the user's view.
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="error-box" role="alert" data-testid="error-boundary">
        <p>
          <strong>Something went wrong in {this.props.label}.</strong>
        </p>
        <p className="error-detail">{errorText(this.state.error)}</p>
        <button type="button" onClick={() => this.setState({ error: undefined, failed: false })}>
          Try again
        </button>
      </div>
    );
  }
}
