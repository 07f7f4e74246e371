import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { createSimEngine } from '../../../src/sim/engine.js';
import type { SimTrade } from '../../../src/sim/engine.js';
import type { SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { isOnKrwGrid, Dec } from '../../../src/sim/price-grid.js';
import { ScriptError, parseScript, parseScriptCsv, parseScriptJsonText } from '../../../src/sim/scripted-prices.js';
import { TestClient, isTicker, manualClock } from '../helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-sim-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: SimServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function record(engine: { onTrade: (l: (t: SimTrade) => void) => () => void }, code?: string): SimTrade[] {
  const trades: SimTrade[] = [];
  engine.onTrade((t) => {
    if (code === undefined || t.code === code) trades.push(t);
  });
  return trades;
}

describe('script formats', () => {
  it('reads JSON points with an optional volume', () => {
    const script = parseScriptJsonText('{"KRW-BTC": [[0, 130000000], [1000, 129500000, 0.5]]}', 'p.json');
    expect(script.get('KRW-BTC')).toEqual([
      { offsetMs: 0, price: 130_000_000 },
      { offsetMs: 1000, price: 129_500_000, volume: 0.5 },
    ]);
  });

  it('reads CSV with a header, comments, blank lines and interleaved markets', () => {
    const script = parseScriptCsv('# a stop test\noffset_ms,market,price,volume\n0,KRW-BTC,130000000\n\n0,KRW-ETH,4800000,0.1\n500,KRW-BTC,129000000\n', 'p.csv');
    expect(script.get('KRW-BTC')).toEqual([
      { offsetMs: 0, price: 130_000_000 },
      { offsetMs: 500, price: 129_000_000 },
    ]);
    expect(script.get('KRW-ETH')).toEqual([{ offsetMs: 0, price: 4_800_000, volume: 0.1 }]);
  });

  it.each([
    ['{"KRW-BTC": [[0, 1]', /p\.json is not valid JSON/],
    ['[1, 2]', /must be an object of market code → points/],
    ['{}', /names no market/],
    ['{"btc": [[0, 1]]}', /key "btc": "btc" is not an Upbit market code\. Codes look like KRW-BTC/],
    ['{"KRW-BTC": []}', /KRW-BTC must be a non-empty array/],
    ['{"KRW-BTC": [[0]]}', /KRW-BTC\[0\] must be \[offsetMs, price\]/],
    ['{"KRW-BTC": [[0, 1], [1.5, 2]]}', /KRW-BTC\[1\]: offset 1\.5 must be a whole number of milliseconds/],
    ['{"KRW-BTC": [[10, 1], [5, 2]]}', /KRW-BTC\[1\]: offset 5 goes back in time \(the point before is at 10\)/],
    ['{"KRW-BTC": [[0, -1]]}', /KRW-BTC\[0\]: price -1 must be a positive number of KRW/],
    ['{"KRW-BTC": [[0, "130000000"]]}', /price "130000000" must be a positive number/],
    ['{"KRW-BTC": [[0, 1, 0]]}', /volume 0 must be a positive number/],
  ])('rejects the JSON %s with a message naming the place', (text, message) => {
    expect(() => parseScriptJsonText(text, 'p.json')).toThrow(ScriptError);
    expect(() => parseScriptJsonText(text, 'p.json')).toThrow(message);
  });

  it.each([
    ['offset_ms,market,price\n0,KRW-BTC,abc\n', /p\.csv line 2, field price: "abc" is not a number/],
    ['0,KRW-BTC,1\nx,KRW-BTC,1\n', /p\.csv line 2, field offset_ms: "x" is not a number/],
    ['0,KRW-BTC\n', /p\.csv line 1: expected offset_ms,market,price\[,volume\], found 2 fields/],
    ['0,krw-btc,1\n', /p\.csv line 1, field market: "krw-btc" is not an Upbit market code/],
    ['offset_ms,price,market\n', /line 1: the header must be offset_ms,market,price/],
    ['5,KRW-BTC,1\n# back\n1,KRW-BTC,2\n', /p\.csv line 3: offset 1 goes back in time/],
    ['# only a comment\n', /p\.csv: no trades/],
  ])('rejects the CSV %j with a message naming the line and field', (text, message) => {
    expect(() => parseScriptCsv(text, 'p.csv')).toThrow(message);
  });
});

describe('scripted engine', () => {
  const script = parseScript(
    {
      'KRW-BTC': [
        [0, 130_000_000],
        [1_000, 129_500_000],
        [2_500, 129_999_999], // snapped to the 1,000 KRW tick
        [2_500, 128_000_000, 0.25],
        [90_000, 131_000_000],
      ],
    },
    'test',
  );

  it('prints exactly the scripted trades at the scripted times, on the grid', () => {
    const clock = manualClock();
    const t0 = clock.now();
    const engine = createSimEngine({ markets: ['KRW-BTC', 'KRW-ETH'], seed: 1, now: clock.now, script });
    const btc = record(engine, 'KRW-BTC');
    const eth = record(engine, 'KRW-ETH');

    engine.catchUp();
    expect(btc.map((t) => [t.timestamp - t0, t.price])).toEqual([[0, 130_000_000]]);
    clock.advance(999);
    engine.catchUp();
    expect(btc).toHaveLength(1);
    clock.advance(1);
    engine.catchUp();
    expect(btc.at(-1)).toMatchObject({ timestamp: t0 + 1_000, price: 129_500_000, askBid: 'ASK' });
    clock.advance(1_500);
    engine.catchUp();
    expect(btc.slice(2).map((t) => [t.timestamp - t0, t.price, t.askBid])).toEqual([
      [2_500, 130_000_000, 'BID'],
      [2_500, 128_000_000, 'ASK'],
    ]);
    expect(btc[3]?.volume).toBe(0.25);
    for (const t of btc) expect(isOnKrwGrid(new Dec(t.price))).toBe(true);
    // The unscripted market kept trading at random meanwhile.
    expect(eth.length).toBeGreaterThan(0);
    expect(engine.ticker('KRW-BTC')?.trade_price).toBe(128_000_000);
  });

  it('keeps the 24 h figures consistent with the scripted trades', () => {
    const clock = manualClock();
    const engine = createSimEngine({ markets: ['KRW-BTC'], seed: 2, now: clock.now, script });
    const before = engine.ticker('KRW-BTC');
    if (before === undefined) throw new Error('no ticker');
    const btc = record(engine);
    clock.advance(3_000);
    engine.catchUp();
    const after = engine.ticker('KRW-BTC');
    if (after === undefined) throw new Error('no ticker');
    const volume = btc.reduce((sum, t) => sum.plus(t.volume), new Dec(0));
    const turnover = btc.reduce((sum, t) => sum.plus(new Dec(t.price).mul(t.volume)), new Dec(0));
    expect(new Dec(after.acc_trade_volume).minus(before.acc_trade_volume).toNumber()).toBeCloseTo(volume.toNumber(), 8);
    expect(new Dec(after.acc_trade_volume_24h).minus(before.acc_trade_volume_24h).toNumber()).toBeCloseTo(volume.toNumber(), 8);
    expect(new Dec(after.acc_trade_price_24h).minus(before.acc_trade_price_24h).toNumber()).toBeCloseTo(turnover.toNumber(), 0);
    expect(after.high_price).toBeGreaterThanOrEqual(130_000_000);
    expect(after.low_price).toBeLessThanOrEqual(128_000_000);
    expect(after.trade_price).toBe(128_000_000);
    expect(after.change_price).toBe(Math.abs(128_000_000 - after.prev_closing_price));
  });

  it('keeps scripted times through a clock jump, and goes quiet after the last point', () => {
    const clock = manualClock();
    const t0 = clock.now();
    const engine = createSimEngine({ markets: ['KRW-BTC', 'KRW-XRP'], seed: 3, now: clock.now, script });
    const btc = record(engine, 'KRW-BTC');
    // 100 s at once: the random market skips ahead, the script replays at its own times.
    clock.advance(100_000);
    engine.catchUp();
    expect(btc.map((t) => t.timestamp - t0)).toEqual([0, 1_000, 2_500, 2_500, 90_000]);
    expect(btc.at(-1)?.price).toBe(131_000_000);
    clock.advance(3_600_000);
    engine.catchUp();
    expect(btc).toHaveLength(5);
  });

  it('scriptTrade prints at a given price now; a random market walks on from there', () => {
    const clock = manualClock();
    const engine = createSimEngine({ markets: ['KRW-BTC', 'KRW-ETH'], seed: 4, now: clock.now, script });
    const eth = record(engine, 'KRW-ETH');
    clock.advance(10_000);
    const trade = engine.scriptTrade('KRW-ETH', 4_000_123, { volume: 1.5 });
    expect(trade).toMatchObject({ code: 'KRW-ETH', price: 4_000_000, volume: 1.5, askBid: 'ASK', timestamp: clock.now() });
    // Trades due before it came first.
    expect(eth.at(-1)).toBe(trade);
    expect(eth.slice(0, -1).every((t) => t.timestamp <= trade.timestamp)).toBe(true);
    expect(engine.ticker('KRW-ETH')?.trade_price).toBe(4_000_000);
    clock.advance(60_000);
    engine.catchUp();
    // Near the injected price (the start price is 4.8M): within 3 %.
    const last = eth.at(-1)?.price ?? 0;
    expect(Math.abs(last / 4_000_000 - 1)).toBeLessThan(0.03);
    // And on a scripted market it is an extra print; the script goes on.
    const extra = engine.scriptTrade('KRW-BTC', 100_000_000);
    expect(extra.price).toBe(100_000_000);
    clock.advance(100_000);
    engine.catchUp();
    expect(engine.ticker('KRW-BTC')?.trade_price).toBe(131_000_000);
  });

  it('refuses a script for a market the engine does not run, and bad injected prices', () => {
    expect(() => createSimEngine({ markets: ['KRW-ETH'], script })).toThrow(/The price script has KRW-BTC, which the simulator does not run\. Simulated markets: KRW-ETH/);
    const engine = createSimEngine({ markets: ['KRW-ETH'] });
    expect(() => engine.scriptTrade('KRW-ETH', 0)).toThrow(/positive number/);
    expect(() => engine.scriptTrade('KRW-NOPE', 1)).toThrow(/no market KRW-NOPE/);
  });
});

describe('scripted server', () => {
  it('loads a script file and streams the scripted prices', async () => {
    const file = path.join(dir, 'stop.csv');
    writeFileSync(file, 'offset_ms,market,price\n0,KRW-BTC,130000000\n5000,KRW-BTC,120000000\n');
    const clock = manualClock();
    const server = await startSimServer({ markets: ['KRW-BTC'], now: clock.now, script: file });
    servers.push(server);
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }]);
    const first = await client.next(isTicker('KRW-BTC', 'SNAPSHOT'), 'the snapshot');
    expect((client.received[first]?.json as { trade_price: number }).trade_price).toBe(130_000_000);
    clock.advance(5_000);
    server.engine.catchUp();
    const at = await client.next(isTicker('KRW-BTC', 'REALTIME'), 'the scripted drop', first + 1);
    expect(client.received[at]?.json).toMatchObject({ trade_price: 120_000_000, trade_timestamp: clock.now() });
  });

  it('takes the script as an object too', async () => {
    const server = await startSimServer({ markets: ['KRW-BTC'], script: { 'KRW-BTC': [[0, 99_000_000]] } });
    servers.push(server);
    server.engine.catchUp();
    expect(server.engine.ticker('KRW-BTC')?.trade_price).toBe(99_000_000);
  });

  it('fails to start on a bad script file, naming it', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{"KRW-BTC": [[0, "high"]]}');
    await expect(startSimServer({ markets: ['KRW-BTC'], script: file })).rejects.toThrow(`${file}: KRW-BTC[0]: price "high" must be a positive number of KRW.`);
    await expect(startSimServer({ script: path.join(dir, 'missing.json') })).rejects.toThrow(/Cannot read the price script .*missing\.json/);
  });
});
