import { render, useStdout, type RenderOptions } from 'ink';
import { useEffect, type ReactNode } from 'react';
import { App, type AppProps } from './App.js';
import { inkIncrementalRenderingIsSafe } from './ink-renderer.js';

export interface RenderStreams {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
}

export interface RenderedApp {
  /** Unmount and restore the terminal. Safe to call more than once. */
  unmount(): void;
  /** Resolves once the app has unmounted (also when asked after the fact). */
  waitUntilExit(): Promise<void>;
  /**
   * Write `prefix` (e.g. re-entering the alternate screen), then the whole current frame again,
   * not only the lines that changed: for a screen something else drew over (the shell while the
   * process was stopped). Does nothing before the first frame or after unmount.
   */
  redraw(prefix: string): void;
}

/** Hands out Ink's own stdout writer, which erases the frame, writes, then draws the frame whole. */
function StdoutBridge({ bridge, children }: { bridge: { write?: (data: string) => void }; children: ReactNode }) {
  const { write } = useStdout();
  useEffect(() => {
    bridge.write = write;
    return () => {
      bridge.write = undefined;
    };
  }, [bridge, write]);
  return <>{children}</>;
}

/**
 * Mount the UI. The kernel owns exit and signals, so Ink neither exits on Ctrl+C nor patches
 * the console (every console call would force an unthrottled full redraw).
 */
export function renderApp(props: AppProps, streams: RenderStreams = {}): RenderedApp {
  const options: RenderOptions = {
    exitOnCtrlC: false,
    patchConsole: false,
    // Only rewrite changed lines (~26x fewer bytes per frame over SSH), when Ink has the fix.
    incrementalRendering: inkIncrementalRenderingIsSafe(),
    // Headroom above the store's ~12 Hz flush, so Ink does not add a second throttle interval
    // (research perf-reliability §0.4).
    maxFps: 30,
  };
  if (streams.stdout !== undefined) options.stdout = streams.stdout;
  if (streams.stdin !== undefined) options.stdin = streams.stdin;
  if (streams.stderr !== undefined) options.stderr = streams.stderr;
  const bridge: { write?: (data: string) => void } = {};
  const instance = render(
    <StdoutBridge bridge={bridge}>
      <App {...props} />
    </StdoutBridge>,
    options,
  );
  // Ink creates its exit promise lazily and a late waitUntilExit() after unmount would never
  // settle, so take it now. The no-op catch only keeps an unawaited rejection from being
  // reported as unhandled; callers of waitUntilExit() still see it.
  const exited = instance.waitUntilExit().then(() => undefined);
  exited.catch(() => undefined);
  let unmounted = false;
  return {
    unmount() {
      if (unmounted) return;
      unmounted = true;
      instance.unmount();
    },
    waitUntilExit: () => exited,
    redraw(prefix) {
      if (!unmounted) bridge.write?.(prefix);
    },
  };
}
