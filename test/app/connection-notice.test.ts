import { describe, expect, it } from 'vitest';
import { connectionNotice } from '../../src/app/connection-notice.js';
import type { ConnectionStatus } from '../../src/upbit/quotation-client.js';

const offline: ConnectionStatus = { state: 'offline', attempt: 4, retryInMs: 2_000, retryAt: 12_000, reason: 'cannot resolve api.upbit.com (no network?)' };
const ctx = { host: 'api.upbit.com', sim: false, wsUrlChosen: false };

describe('the notice under the status bar', () => {
  it('suggests --sim when Upbit itself cannot be reached', () => {
    expect(connectionNotice(offline, ctx)).toBe('Cannot reach api.upbit.com: cannot resolve api.upbit.com (no network?). Still retrying; run with --sim to use the built-in exchange.');
  });

  it('suggests nothing to a user who chose the server with --ws-url, or who runs --sim', () => {
    expect(connectionNotice(offline, { ...ctx, wsUrlChosen: true })).toBeNull();
    expect(connectionNotice(offline, { ...ctx, sim: true })).toBeNull();
  });

  it('is gone once the link is not offline', () => {
    expect(connectionNotice({ state: 'live', since: 1 }, ctx)).toBeNull();
    expect(connectionNotice({ state: 'reconnecting', attempt: 1, retryInMs: 300, retryAt: 300, reason: 'connection dropped' }, ctx)).toBeNull();
  });
});
