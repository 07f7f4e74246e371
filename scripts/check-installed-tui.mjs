// The installed TUI for a moment in a real pseudo-terminal: `upbit-tui --sim` must draw KRW-BTC
// and KRW-ETH prices, then quit on `q` with exit 0. Used by scripts/test-tarball.sh with the
// bin of a package installed from the tarball:
//   node scripts/check-installed-tui.mjs /tmp/prefix/bin/upbit-tui
// Waits on the screen's content with deadlines, never on a fixed sleep.
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';

const bin = process.argv[2];
if (bin === undefined) throw new Error('usage: node scripts/check-installed-tui.mjs BIN');
const cols = 80;
const rows = 24;
const PRICE = /\d{1,3}(,\d{3})+/;

const term = pty.spawn(bin, ['--sim'], { name: 'xterm-256color', cols, rows, env: { ...process.env, TERM: 'xterm-256color' } });
const emulator = new xterm.Terminal({ cols, rows, allowProposedApi: true });
let raw = '';
term.onData((data) => {
  raw += data;
  emulator.write(data);
});
let exitCode;
const exited = new Promise((resolve) =>
  term.onExit((e) => {
    exitCode = e.exitCode;
    resolve(e.exitCode);
  }),
);

const screen = () =>
  new Promise((resolve) =>
    emulator.write('', () => {
      const buf = emulator.buffer.active;
      const lines = [];
      for (let i = 0; i < rows; i++) lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? '');
      resolve(lines.join('\n'));
    }),
  );

async function waitFor(what, check, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      term.kill('SIGKILL');
      throw new Error(`installed TUI: no ${what} within ${ms} ms.\nscreen:\n${await screen()}\nraw tail: ${JSON.stringify(raw.slice(-600))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

await waitFor(
  'frame with KRW-BTC and KRW-ETH prices',
  async () => {
    if (exitCode !== undefined) throw new Error(`installed TUI exited early with ${exitCode}:\n${raw}`);
    const text = await screen();
    return text.includes('BTC') && text.includes('ETH') && PRICE.test(text);
  },
  20_000,
);
const frame = await screen();
term.write('q');
await waitFor('exit after q', () => exitCode !== undefined, 5_000);
await exited;
if (exitCode !== 0) throw new Error(`installed TUI: q exited with ${exitCode}, not 0`);
process.stdout.write(`installed TUI: drew prices and quit on q (exit 0)\n${frame.split('\n').filter((l) => l.trim() !== '').slice(0, 4).join('\n')}\n`);
