import { Text } from 'ink';
import { render, cleanup } from 'ink-testing-library';
import { Component, type ReactNode } from 'react';
import { afterEach, expect, it, vi } from 'vitest';
import { useActions } from '../../src/ui/actions.js';
import { until } from './ink-helpers.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function UsesActions() {
  useActions();
  return <Text>rendered</Text>;
}

/** Catches the render error itself, independent of how Ink would display it. */
class Catch extends Component<{ onError: (e: unknown) => void; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: unknown) {
    this.props.onError(error);
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

it('useActions throws outside its provider', async () => {
  // React logs caught render errors; keep the test output clean.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  let caught: unknown;
  render(
    <Catch onError={(e) => (caught = e)}>
      <UsesActions />
    </Catch>,
  );
  const error = await until(() => caught, 'the render error');
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe('useActions() was called outside <ActionsProvider>; render the UI through <App>.');
});
