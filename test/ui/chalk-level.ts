import chalk from 'chalk';
import { afterEach, beforeEach } from 'vitest';

/**
 * Make colour (and its absence) observable in a non-TTY worker: chalk at level 1 for each test
 * of the calling file, its level before restored after. Call at the top of a test file.
 */
export function withObservableColour(): void {
  let saved: typeof chalk.level;
  beforeEach(() => {
    saved = chalk.level;
    chalk.level = 1;
  });
  afterEach(() => {
    chalk.level = saved;
  });
}
