import { render, type RenderOptions } from 'ink';
import { App, type AppProps } from './App.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { inkIncrementalRenderingIsSafe } from './ink-renderer.js';
import type { RenderMetricsHooks } from './render-metrics.js';
import { ScreenPainter } from './screen-painter.js';

export interface RenderStreams {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
}

export interface RenderAppProps extends AppProps {
  /**
   * A component threw while rendering (or Ink itself failed): the UI cannot go on. Called
   * once, in a microtask (never before renderApp has returned); the owner of exit shuts down (the TUI: `kernel.shutdown({ kind: 'error', error })`,
   * which restores the terminal and then prints the error). `componentStack` is React's, for
   * the log, when a component threw.
   */
  onFatal: (error: unknown, componentStack: string | null) => void;
  /** Counting hooks for `--metrics-file` (./render-metrics.ts). @default none: nothing is counted */
  metrics?: RenderMetricsHooks;
}

export interface RenderedApp {
  /** Unmount and restore the terminal. Safe to call more than once. */
  unmount(): void;
  /**
   * Resolves once the app has unmounted (also when asked after the fact). Never rejects: an
   * error Ink caught goes to `onFatal`.
   */
  waitUntilExit(): Promise<void>;
  /**
   * Clear the screen and draw the current frame again, e.g. on SIGCONT, when the shell may
   * have drawn on the terminal meanwhile. A no-op off a terminal and after unmount.
   */
  repaint(): void;
  /**
   * Never draw again, at once and synchronously: for the force-exit path, which gives the
   * terminal back without unmounting, while Ink would still paint a last frame from its exit
   * hook onto what is by then the user's main screen.
   */
  stopDrawing(): void;
}

/**
 * Mount the UI. The kernel owns exit and signals, so Ink neither exits on Ctrl+C nor patches
 * the console (every console call would force an unthrottled full redraw).
 *
 * On a terminal (the TUI runs on the alternate screen) Ink only produces frames and the
 * {@link ScreenPainter} puts them on the screen at absolute rows, so a resize can never leave
 * a ghost row; Ink's `debug` mode is what hands each whole frame to its stdout, unthrottled
 * (the store's ~12 Hz flush is the one throttle). Elsewhere (a pipe, a test's fake stream)
 * Ink writes as usual.
 */
export function renderApp({ onFatal, metrics, ...props }: RenderAppProps, streams: RenderStreams = {}): RenderedApp {
  const stdout = streams.stdout ?? process.stdout;
  const painter = stdout.isTTY ? new ScreenPainter(stdout, metrics === undefined ? {} : { onPaint: metrics.painted }) : null;
  const options: RenderOptions = {
    exitOnCtrlC: false,
    patchConsole: false,
    ...(metrics === undefined ? {} : { onRender: ({ renderTime }: { renderTime: number }) => metrics.rendered(renderTime) }),
    ...(painter !== null
      ? // The painter is a stdout with the parts Ink uses (write, columns, rows, 'resize').
        { stdout: painter as unknown as NodeJS.WriteStream, debug: true }
      : {
          stdout,
          // Only rewrite changed lines (~26x fewer bytes per frame over SSH), when Ink has the fix.
          incrementalRendering: inkIncrementalRenderingIsSafe(),
          // Headroom above the store's ~12 Hz flush, so Ink does not add a second throttle
          // interval (docs/terminal-rendering.md#one-throttle).
          maxFps: 30,
        }),
  };
  if (streams.stdin !== undefined) options.stdin = streams.stdin;
  if (streams.stderr !== undefined) options.stderr = streams.stderr;
  let fatal = false;
  const fail = (error: unknown, componentStack: string | null): void => {
    if (fatal) return;
    fatal = true;
    // Never from inside React's commit, nor from inside this call: a first frame that throws
    // does so before render() returns, and the caller must still get to register the release
    // that gives the terminal back before shutdown starts running releases.
    queueMicrotask(() => onFatal(error, componentStack));
  };
  const instance = render(
    <ErrorBoundary onError={fail}>
      <App {...props} />
    </ErrorBoundary>,
    options,
  );
  // Ink creates its exit promise lazily and a late waitUntilExit() after unmount would never
  // settle, so take it now. It rejects only when Ink's own boundary caught an error (one
  // outside ours) and unmounted: that is as fatal as a component's.
  const exited = instance.waitUntilExit().then(
    () => undefined,
    (error: unknown) => fail(error, null),
  );
  let unmounted = false;
  return {
    unmount() {
      if (unmounted) return;
      unmounted = true;
      // Ink paints its final frame while unmounting; nothing after it may reach the screen,
      // which is about to become the user's main screen again.
      instance.unmount();
      painter?.close();
    },
    waitUntilExit: () => exited,
    repaint: () => painter?.repaint(),
    stopDrawing: () => painter?.close(),
  };
}
