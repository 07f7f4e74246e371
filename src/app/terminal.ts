/**
 * Raw terminal control the app owns around Ink: the alternate screen (so the user's
 * scrollback is untouched and no frame is left behind on exit) and the synchronous emergency
 * restore used by the kernel's force-exit path.
 */
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export interface TerminalStreams {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

export interface AltScreen {
  /** Leave the alternate screen and show the cursor (idempotent). */
  leave(): void;
  /** Synchronous, best-effort restore for the force-exit path: no awaiting, no throwing. */
  forceRestore(): void;
  /**
   * After the process was stopped and continued (SIGTSTP or SIGSTOP, then `fg` or SIGCONT): the
   * shell has put the terminal back in cooked mode meanwhile, so keys would wait for Enter and
   * echo. Raw mode is set again and the text to write before a full redraw (the alternate
   * screen, cleared) is returned; null once the screen was left.
   */
  resume(): string | null;
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
    resume: () => {
      if (left) return null;
      try {
        // libuv skips setRawMode(true) while it believes the mode is raw already: it cannot see
        // that the shell changed it, so go through cooked to make it set raw mode for real.
        if (stdin.isTTY && stdin.isRaw) {
          stdin.setRawMode(false);
          stdin.setRawMode(true);
        }
      } catch {
        // The terminal went away while stopped; the hang-up handling ends the program.
      }
      return ENTER_ALT_SCREEN + CLEAR_SCREEN;
    },
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
