/**
 * `ExchangeOptions.persist`: every change is saved before anyone hears of it (the caller's
 * answer, the listeners' events), a tick that changes nothing saves nothing, and a change
 * that cannot be saved is undone and refused, so nobody is ever told of a change the file
 * does not hold (issue 7, point 2).
 */
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import type { ExchangeSnapshot } from '../../src/exchange/index.js';
import { StateNotSavedError } from '../../src/exchange/index.js';
import { AK, errorName, harness, krw, limit } from './helpers.js';

function persisted(): { saves: ExchangeSnapshot[]; broken: { now: boolean }; persist: (s: ExchangeSnapshot) => void } {
  const saves: ExchangeSnapshot[] = [];
  const broken = { now: false };
  return {
    saves,
    broken,
    persist: (s) => {
      if (broken.now) throw new Error('EACCES: permission denied');
      saves.push(JSON.parse(JSON.stringify(s)) as ExchangeSnapshot);
    },
  };
}

const orderUuids = (s: ExchangeSnapshot | undefined): string[] => s?.accounts.flatMap((a) => a.orders.map((o) => o.uuid)) ?? [];

describe('persist', () => {
  it('saves each change before the call returns and before its events are delivered; saves nothing for a tick that changes nothing', () => {
    const p = persisted();
    const h = harness({ persist: p.persist });
    expect(p.saves).toHaveLength(1); // the new account
    const seenAtEvent: string[][] = [];
    h.ex.on(() => seenAtEvent.push(orderUuids(p.saves.at(-1))));
    const placed = h.ex.place(AK, limit('bid', '99000000', '0.001', { identifier: 'a' }));
    expect(p.saves).toHaveLength(2);
    expect(orderUuids(p.saves.at(-1))).toEqual([placed.uuid]);
    expect(seenAtEvent.length).toBeGreaterThan(0);
    expect(seenAtEvent.every((uuids) => uuids.includes(placed.uuid))).toBe(true);

    // A trade above the bid fills nothing: no save. One through it fills: one save.
    h.ex.onMarketTrade('KRW-BTC', new Decimal('100000000'), new Decimal('1'));
    expect(p.saves).toHaveLength(2);
    h.ex.onMarketTrade('KRW-BTC', new Decimal('99000000'), new Decimal('1'));
    expect(p.saves).toHaveLength(3);
    expect(p.saves.at(-1)?.accounts[0]?.orders[0]?.state).toBe('done');

    // An identifier used up by an order that then fails raises no event, and is saved too.
    expect(errorName(() => h.ex.place(AK, limit('bid', '99000000', '1000', { identifier: 'burnt' })))).not.toBe('ok');
    expect(p.saves).toHaveLength(4);
    expect(p.saves.at(-1)?.accounts[0]?.usedIdentifiers).toContain('burnt');
  });

  it('undoes and refuses a change it cannot save, with no event, and takes changes again once saving works', () => {
    const p = persisted();
    const h = harness({ persist: p.persist });
    const resting = h.ex.place(AK, limit('bid', '99000000', '0.001', { identifier: 'rest' }));
    const before = { krw: krw(h), orders: h.ex.list(AK, {}), events: h.events.length, saves: p.saves.length };

    p.broken.now = true;
    const refused = (() => {
      try {
        h.ex.place(AK, limit('bid', '98000000', '0.001', { identifier: 'lost' }));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(StateNotSavedError);
    expect(refused).toMatchObject({ status: 503, upbitName: 'state_not_saved' });
    expect((refused as Error).message).toMatch(/EACCES/);
    // Nothing of it is left: no order, no lock, no used identifier, no event.
    expect(h.ex.list(AK, {})).toEqual(before.orders);
    expect(krw(h)).toEqual(before.krw);
    expect(h.events).toHaveLength(before.events);
    expect(errorName(() => h.ex.cancel(AK, { uuid: resting.uuid }))).toBe('state_not_saved');
    expect(h.ex.get(AK, { uuid: resting.uuid }).state).toBe('wait');
    // A fill from the market is undone the same way (not thrown at the feed), and happens with a later trade.
    h.ex.onMarketTrade('KRW-BTC', new Decimal('99000000'), new Decimal('1'));
    expect(h.ex.get(AK, { uuid: resting.uuid }).state).toBe('wait');
    expect(p.saves).toHaveLength(before.saves);

    p.broken.now = false;
    const again = h.ex.place(AK, limit('bid', '98000000', '0.001', { identifier: 'lost' }));
    expect(h.ex.get(AK, { identifier: 'lost' }).uuid).toBe(again.uuid);
    h.ex.onMarketTrade('KRW-BTC', new Decimal('99000000'), new Decimal('1'));
    expect(h.ex.get(AK, { uuid: resting.uuid }).state).toBe('done');
    expect(orderUuids(p.saves.at(-1))).toEqual([resting.uuid, again.uuid]);
  });

  it('a cancel that completes while saving fails completes once saving works again', () => {
    const p = persisted();
    const h = harness({ persist: p.persist });
    const resting = h.ex.place(AK, limit('bid', '99000000', '0.001'));
    h.ex.cancel(AK, { uuid: resting.uuid });
    expect(p.saves.at(-1)?.accounts[0]?.orders[0]?.cancelRequested).toBe(true);
    p.broken.now = true;
    h.clock.advance(20);
    expect(h.ex.get(AK, { uuid: resting.uuid }).state).toBe('wait');
    p.broken.now = false;
    h.clock.advance(20);
    expect(h.ex.get(AK, { uuid: resting.uuid }).state).toBe('cancel');
    expect(p.saves.at(-1)?.accounts[0]?.orders[0]?.state).toBe('cancel');
  });
});
