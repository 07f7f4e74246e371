/**
 * Raw terminal control the app owns around Ink: the alternate screen (so the user's
 * scrollback is untouched and no frame is left behind on exit) and the synchronous emergency
 * restore used by the kernel's force-exit path.
 */
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export interface TerminalStreams {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

export interface AltScreen {
  /** Leave the alternate screen and show the cursor (idempotent). */
  leave(): void;
  /** Synchronous, best-effort restore for the force-exit path: no awaiting, no throwing. */
  forceRestore(): void;
}

export function enterAltScreen({ stdout, stdin }: TerminalStreams): AltScreen {
  const active = stdout.isTTY === true;
  if (active) stdout.write(ENTER_ALT_SCREEN);
  let left = !active;
  const leave = (): void => {
    if (left) return;
    left = true;
    stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
  };
  return {
    leave,
    forceRestore: () => {
      try {
        if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
      } catch {
        // stdin may already be closed; the cursor and screen still matter.
      }
      try {
        if (!left) {
          left = true;
          // fd 1 directly: the stream may be corked by a pending Ink frame.
          stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
        } else {
          stdout.write(SHOW_CURSOR);
        }
      } catch {
        // Nothing else can be done for a closed terminal.
      }
    },
  };
}
