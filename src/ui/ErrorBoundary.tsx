import { Text } from 'ink';
import { Component, type ErrorInfo, type ReactNode } from 'react';

export interface ErrorBoundaryProps {
  /**
   * Told once, with what a component below threw while rendering (or in an effect or a
   * lifecycle method), and React's component stack for the log. The owner of exit decides
   * what follows: the TUI shuts down through the kernel.
   */
  onError: (error: unknown, componentStack: string | null) => void;
  children: ReactNode;
}

interface ErrorBoundaryState {
  failed: boolean;
}

/**
 * The root of the UI tree: without it a render error reaches Ink's own boundary, which shows
 * its error screen and unmounts while every task keeps running behind it. A class component,
 * because React has no hook for catching errors
 * (https://react.dev/reference/react/Component#catching-rendering-errors-with-an-error-boundary).
 * After an error it shows one line until its owner takes the terminal back.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { failed: false };
  #told = false;

  static getDerivedStateFromError(): ErrorBoundaryState {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    if (this.#told) return;
    this.#told = true;
    this.props.onError(error, info.componentStack ?? null);
  }

  override render(): ReactNode {
    if (this.state.failed) return <Text>upbit-tui hit an unexpected error and is stopping; the details follow.</Text>;
    return this.props.children;
  }
}
