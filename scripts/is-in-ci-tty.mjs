// Replaces the `is-in-ci` package inside the bundle. Ink reads it once at load time and, when
// CI or CONTINUOUS_INTEGRATION is set, withholds every frame until exit: a blank terminal for
// a trader whose shell (or CI job driving a real pty) exports CI=1. upbit-tui is interactive
// only on a terminal, so a terminal on stdout wins over the variable; without one the
// original rule stands.
import { env, stdout } from 'node:process';

const check = (key) => key in env && env[key] !== '0' && env[key] !== 'false';

export default (check('CI') || check('CONTINUOUS_INTEGRATION')) && stdout.isTTY !== true;
