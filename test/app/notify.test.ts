import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { detectTerminalNotify, Notifier, NotifyHook, terminalNotification, type MonitorNotice } from '../../src/app/notify.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { runInPty } from '../helpers/pty.js';
import { tmuxAvailable } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait-for.js';

const ESC = '\x1b';
const BEL = '\x07';

const notice: MonitorNotice = { kind: 'triggered', ruleId: 7, market: 'KRW-BTC', title: 'Stop-loss triggered', body: 'KRW-BTC at 95,000,000', at: 1_700_000_000_000 };

const OSC9 = `${ESC}]9;Stop-loss triggered: KRW-BTC at 95,000,000${BEL}`;
const OSC777 = `${ESC}]777;notify;Stop-loss triggered;KRW-BTC at 95,000,000${BEL}`;
/** tmux's passthrough, written out by hand: ESC P tmux; <ESC doubled> ESC \ */
const tmuxed = (seq: string): string => `${ESC}Ptmux;${seq.split(ESC).join(ESC + ESC)}${ESC}\\`;

describe('the bytes for the terminal', () => {
  it('are a bell, OSC 9 and/or OSC 777 as asked', () => {
    expect(terminalNotification(notice, { tmux: false, osc: 'both', bell: true })).toBe(BEL + OSC9 + OSC777);
    expect(terminalNotification(notice, { tmux: false, osc: '9', bell: false })).toBe(OSC9);
    expect(terminalNotification(notice, { tmux: false, osc: '777', bell: false })).toBe(OSC777);
    expect(terminalNotification(notice, { tmux: false, osc: 'none', bell: true })).toBe(BEL);
    expect(terminalNotification(notice, { tmux: false, osc: 'none', bell: false })).toBe('');
  });

  it("inside tmux, wrap each OSC in tmux's passthrough with every ESC doubled, and leave the bell bare", () => {
    expect(terminalNotification(notice, { tmux: true, osc: '9', bell: false })).toBe(`${ESC}Ptmux;${ESC}${ESC}]9;Stop-loss triggered: KRW-BTC at 95,000,000${BEL}${ESC}\\`);
    expect(terminalNotification(notice, { tmux: true, osc: '777', bell: false })).toBe(`${ESC}Ptmux;${ESC}${ESC}]777;notify;Stop-loss triggered;KRW-BTC at 95,000,000${BEL}${ESC}\\`);
    expect(terminalNotification(notice, { tmux: true, osc: 'both', bell: true })).toBe(BEL + tmuxed(OSC9) + tmuxed(OSC777));
    expect(terminalNotification(notice, { tmux: true, osc: 'none', bell: true })).toBe(BEL);
  });

  it('carry no control character from the text: no ESC, BEL, ST or C1 CSI can end the sequence early', () => {
    const evil: MonitorNotice = { ...notice, title: 'Stop\x9c\x1b\\ loss\x00', body: `fill\x1b]0;evil\x07 \x9b31m done\r\nnext\x7f\tline\x85` };
    const out = terminalNotification(evil, { tmux: false, osc: 'both', bell: false });
    expect(out).toBe(`${ESC}]9;Stop\\ loss: fill]0;evil 31m done next line${BEL}${ESC}]777;notify;Stop\\ loss;fill]0;evil 31m done next line${BEL}`);
    // Framing aside, nothing in C0, DEL or C1 is left.
    const inner = out.replaceAll(`${ESC}]9;`, '').replaceAll(`${ESC}]777;`, '').replaceAll(BEL, '');
    expect(inner).not.toMatch(/\p{Cc}/u);
  });

  it("keep the OSC 777 title free of ';' (its field separator); the body may keep its own", () => {
    const out = terminalNotification({ ...notice, title: 'a;b;c', body: 'x;y' }, { tmux: false, osc: '777', bell: false });
    expect(out).toBe(`${ESC}]777;notify;abc;x;y${BEL}`);
  });

  it("never start an OSC 9 text with '<number>;', which ConEmu and Windows Terminal read as a command", () => {
    const out = terminalNotification({ ...notice, title: '4;3', body: '50' }, { tmux: false, osc: '9', bell: false });
    expect(out).toBe(`${ESC}]9;4:3: 50${BEL}`);
  });

  it('cap each text at 200 characters, counting code points', () => {
    const out = terminalNotification({ ...notice, title: 'T', body: '가'.repeat(500) + '😀'.repeat(10) }, { tmux: false, osc: '777', bell: false });
    const body = out.slice(`${ESC}]777;notify;T;`.length, -1);
    expect(Array.from(body)).toHaveLength(200);
    expect(body.endsWith('…')).toBe(true);
    const osc9 = terminalNotification({ ...notice, title: 'T', body: '😀'.repeat(500) }, { tmux: false, osc: '9', bell: false });
    const text = osc9.slice(`${ESC}]9;`.length, -1);
    expect(Array.from(text)).toHaveLength(200);
    expect(text).not.toMatch(/[\uD800-\uDFFF]/u);
  });
});

describe('detectTerminalNotify', () => {
  it('sees tmux from TMUX, or from a TERM of tmux over SSH', () => {
    expect(detectTerminalNotify({ TMUX: '/tmp/tmux-1000/default,1234,0', TERM: 'screen-256color' })).toEqual({ tmux: true });
    expect(detectTerminalNotify({ TERM: 'tmux-256color' })).toEqual({ tmux: true });
    expect(detectTerminalNotify({ TERM: 'xterm-256color' })).toEqual({ tmux: false });
    expect(detectTerminalNotify({ TMUX: '', TERM: 'xterm-256color' })).toEqual({ tmux: false });
    expect(detectTerminalNotify({})).toEqual({ tmux: false });
  });
});

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tmp = (name: string): string => path.join(dir, `${files++}-${name}`);

/** A script file, so the command line needs no quoting of JavaScript. */
function script(name: string, code: string): string {
  const file = tmp(`${name}.cjs`);
  writeFileSync(file, code);
  return file;
}
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes the hook's environment to argv[2], as JSON. */
const RECORD = script('record', "require('fs').writeFileSync(process.argv[2], JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('UPBIT_TUI_')))));");
/** Writes its pid to argv[2], then never exits. */
const HANG = script('hang', "require('fs').writeFileSync(process.argv[2], String(process.pid)); setInterval(() => {}, 1000);");

/** Whether `pid` is a live process (a zombie nobody has reaped yet counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

const pidIn = (file: string): Promise<number> => waitFor(() => existsSync(file) && Number(readFileSync(file, 'utf8')) > 0 && Number(readFileSync(file, 'utf8')), `a pid in ${file}`, 10_000);

const hooks: NotifyHook[] = [];
afterEach(async () => {
  await Promise.all(hooks.splice(0).map((h) => h.close()));
});
function hook(command: string | undefined, opts: { timeoutMs?: number; maxConcurrent?: number } = {}): { hook: NotifyHook; log: ReturnType<typeof memoryLogger> } {
  const log = memoryLogger();
  const h = new NotifyHook({ command, logger: log, ...opts });
  hooks.push(h);
  return { hook: h, log };
}

describe.runIf(tmuxAvailable())('through a real tmux', () => {
  /** A private tmux server in a pty, its pane writing `bytes` once told to: what reaches the terminal outside it. */
  async function outside(bytes: string, passthrough: boolean): Promise<string> {
    const file = tmp('bytes');
    writeFileSync(file, bytes);
    const conf = tmp('tmux.conf');
    writeFileSync(conf, passthrough ? 'set -g allow-passthrough on\n' : '');
    const socket = `upbit-notify-test-${process.pid}-${files}`;
    const run = runInPty([], { command: `tmux -L ${socket} -f ${q(conf)} new-session ${q(`printf ready; read x; cat ${q(file)}; printf sent; read y`)}`, env: { TMUX: undefined } });
    try {
      await waitFor(() => run.output().includes('ready'), 'the tmux pane to be drawn', 10_000);
      run.write('\r');
      await waitFor(() => run.output().includes('sent'), 'the pane to have written the bytes', 10_000);
      return run.output();
    } finally {
      try {
        execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
      } catch {
        // Gone with its client.
      }
      run.kill();
    }
  }

  it('passes both OSCs to the terminal outside, unwrapped, with allow-passthrough on, and drops them without it', async () => {
    const bytes = terminalNotification(notice, { tmux: true, osc: 'both', bell: false });
    const on = await outside(bytes, true);
    expect(on).toContain(OSC9);
    expect(on).toContain(OSC777);
    expect(on).not.toContain('Ptmux;');
    const off = await outside(bytes, false);
    expect(off).not.toContain(']9;');
    expect(off).not.toContain(']777;');
  });
});

describe('the notify hook', () => {
  it('runs the command with the notice in its environment, and returns at once', async () => {
    const out = tmp('env.json');
    const { hook: h, log } = hook(`node ${q(RECORD)} ${q(out)}`);
    const odd: MonitorNotice = { ...notice, title: "it's $HOME `id`", body: 'a "quoted"\nline\0' };
    h.run(odd);
    expect(h.running).toBe(1);
    const env = await waitFor(() => existsSync(out) && (JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>), 'the hook to write its environment', 10_000);
    expect(JSON.parse(env['UPBIT_TUI_NOTICE'] ?? '')).toEqual(odd);
    expect(env).toMatchObject({ UPBIT_TUI_KIND: 'triggered', UPBIT_TUI_RULE_ID: '7', UPBIT_TUI_MARKET: 'KRW-BTC', UPBIT_TUI_TITLE: "it's $HOME `id`", UPBIT_TUI_BODY: 'a "quoted"\nline' });
    await waitFor(() => h.running === 0, 'the run to end');
    expect(log.records).toEqual([]);
  });

  it('does nothing without a command', () => {
    for (const command of [undefined, '', '   ']) {
      const { hook: h, log } = hook(command);
      h.run(notice);
      expect(h.running).toBe(0);
      expect(log.records).toEqual([]);
    }
  });

  it('logs a non-zero exit with the command and the last 500 characters of its stderr', async () => {
    const fail = script('fail', "process.stderr.write('x'.repeat(2000) + 'the API key is missing'); process.exit(3);");
    const command = `node ${q(fail)}`;
    const { hook: h, log } = hook(command);
    h.run(notice);
    const warn = await waitFor(() => log.records.find((r) => r.level === 'warn'), 'the warning', 10_000);
    expect(warn.msg).toContain('exited with code 3');
    expect(warn.fields).toMatchObject({ command, code: 3, kind: 'triggered', ruleId: 7, market: 'KRW-BTC' });
    const stderr = String(warn.fields['stderr']);
    expect(stderr).toHaveLength(500);
    expect(stderr.endsWith('the API key is missing')).toBe(true);
  });

  it('logs a command the shell cannot find', async () => {
    const { hook: h, log } = hook('upbit-tui-no-such-command-here');
    h.run(notice);
    const warn = await waitFor(() => log.records.find((r) => r.level === 'warn'), 'the warning', 10_000);
    expect(warn.fields).toMatchObject({ command: 'upbit-tui-no-such-command-here', code: 127 });
    expect(String(warn.fields['stderr'])).toMatch(/not found/);
  });

  it('kills a run that hangs after timeoutMs, with what the shell started, and logs it', async () => {
    const pidFile = tmp('hang.pid');
    // `; true` keeps the shell from exec'ing node: node is the shell's child, as in any compound command.
    const { hook: h, log } = hook(`node ${q(HANG)} ${q(pidFile)}; true`, { timeoutMs: 1000 });
    const started = Date.now();
    h.run(notice);
    const pid = await pidIn(pidFile);
    const warn = await waitFor(() => log.records.find((r) => r.level === 'warn'), 'the kill to be logged', 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(warn.msg).toContain('had not exited after 1000 ms');
    expect(warn.fields).toMatchObject({ timeoutMs: 1000, signal: 'SIGKILL' });
    await waitFor(() => !alive(pid), 'the hung node process to be gone');
    expect(h.running).toBe(0);
  });

  it('drops a notice while maxConcurrent runs still go, and close() kills them', async () => {
    // Each run reads its pid file from the notice's body.
    const { hook: h, log } = hook(`node ${q(HANG)} "$UPBIT_TUI_BODY"; true`, { timeoutMs: 20_000 });
    const pidFiles = [0, 1, 2, 3].map((i) => tmp(`hang-${i}.pid`));
    for (const file of pidFiles) h.run({ ...notice, body: file });
    const pids = await Promise.all(pidFiles.map(pidIn));
    expect(h.running).toBe(4);
    h.run({ ...notice, kind: 'filled' });
    expect(h.running).toBe(4);
    expect(log.records).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ kind: 'filled', running: 4, maxConcurrent: 4 }) as unknown })]);
    expect(log.records[0]?.msg).toContain('not run for this notice');

    const closing = Date.now();
    await h.close();
    expect(Date.now() - closing).toBeLessThan(5000);
    expect(h.running).toBe(0);
    for (const pid of pids) await waitFor(() => !alive(pid), `process ${pid} to be gone`);
    expect(log.records.filter((r) => r.msg?.includes('killed at shutdown'))).toHaveLength(4);
    h.run(notice);
    expect(h.running).toBe(0);
    await h.close();
  });
});

describe('the notifier', () => {
  const terminal = { tmux: false, osc: '9', bell: true } as const;

  it('rings the terminal for every kind but ordered, and runs the hook for all of them', () => {
    const written: string[] = [];
    const ran: string[] = [];
    const n = new Notifier({ write: (b) => written.push(b), terminal, hook: { run: (x) => ran.push(x.kind) }, logger: memoryLogger() });
    for (const kind of ['triggered', 'ordered', 'filled', 'failed', 'disarmed'] as const) n.notify({ ...notice, kind });
    expect(written).toHaveLength(4);
    expect(written[0]).toBe(BEL + OSC9);
    expect(ran).toEqual(['triggered', 'ordered', 'filled', 'failed', 'disarmed']);
  });

  it('headless, only runs the hook', () => {
    const ran: string[] = [];
    new Notifier({ write: undefined, terminal, hook: { run: (x) => ran.push(x.kind) }, logger: memoryLogger() }).notify(notice);
    expect(ran).toEqual(['triggered']);
  });

  it('swallows and logs a write that throws, and still runs the hook', () => {
    const ran: string[] = [];
    const log = memoryLogger();
    const n = new Notifier({
      write: () => {
        throw new Error('EPIPE');
      },
      terminal,
      hook: { run: (x) => ran.push(x.kind) },
      logger: log,
    });
    expect(() => n.notify(notice)).not.toThrow();
    expect(ran).toEqual(['triggered']);
    expect(log.records).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ err: expect.any(Error) as unknown, ruleId: 7 }) as unknown })]);
  });
});
