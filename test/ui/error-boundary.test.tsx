import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from '../../src/ui/ErrorBoundary.js';
import { frameWhere, until } from './ink-helpers.js';

afterEach(() => {
  cleanup();
});

const bug = new Error('price column exploded');

function ThrowsWhileRendering(): never {
  throw bug;
}

function ThrowsInAnEffect() {
  useEffect(() => {
    throw bug;
  }, []);
  return <Text>ok</Text>;
}

describe('<ErrorBoundary>', () => {
  it('tells its owner, once, what a component threw while rendering, and shows the stopping line', async () => {
    const onError = vi.fn();
    const { lastFrame } = render(
      <ErrorBoundary onError={onError}>
        <Text>table</Text>
        <ThrowsWhileRendering />
      </ErrorBoundary>,
    );
    await until(() => onError.mock.calls.length > 0, 'the error callback');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toBe(bug);
    expect(String(onError.mock.calls[0]?.[1])).toContain('ThrowsWhileRendering');
    const frame = await frameWhere(lastFrame, (f) => f.includes('stopping'), 'the stopping line');
    expect(frame).not.toContain('price column exploded');
    expect(frame).not.toContain('table');
  });

  it('catches an error thrown in an effect too', async () => {
    const onError = vi.fn();
    render(
      <ErrorBoundary onError={onError}>
        <ThrowsInAnEffect />
      </ErrorBoundary>,
    );
    await until(() => onError.mock.calls.length > 0, 'the error callback');
    expect(onError.mock.calls[0]?.[0]).toBe(bug);
  });

  it('renders its children untouched while nothing throws', () => {
    const onError = vi.fn();
    const { lastFrame } = render(
      <ErrorBoundary onError={onError}>
        <Text>all good</Text>
      </ErrorBoundary>,
    );
    expect(lastFrame()).toBe('all good');
    expect(onError).not.toHaveBeenCalled();
  });
});
