/**
 * Runs the CLI from source (through tsx) for tests that need a real process: what
 * bin/upbit-tui.js does with the built dist/.
 */
import { main } from '../../src/cli/main.js';

await main(process.argv);
