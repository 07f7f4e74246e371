/**
 * Counting hooks of the renderer, for the TUI's opt-in metrics file (`--metrics-file`,
 * src/app/tui-metrics.ts; docs/performance.md#the-tui-load-benchmark-issue-9). Absent when the
 * metrics are off, so they cost nothing then: no call, no byte count.
 */
export interface RenderMetricsHooks {
  /** Ink rendered the tree to a frame: once per React commit on a terminal (Ink's debug mode). `renderMs` is Ink's own time for it. */
  rendered: (renderMs: number) => void;
  /** The screen painter wrote `bytes` (UTF-8) to the terminal for one of Ink's frames; 0 when the frame changed nothing on screen. */
  painted: (bytes: number) => void;
}
