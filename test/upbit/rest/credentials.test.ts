import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { formatError } from '../../../src/runtime/errors.js';
import { keysFromEnv, loadCredentials, Secret } from '../../../src/upbit/credentials.js';
import { CredentialsError } from '../../../src/upbit/rest/errors.js';

const SECRET = 'sk-9c1d-very-secret-value';

describe('Secret', () => {
  const secret = new Secret(SECRET);
  const keys = { accessKey: 'ak', secretKey: secret, source: 'test' };

  it('prints as [redacted] everywhere', () => {
    /* eslint-disable @typescript-eslint/restrict-template-expressions, @typescript-eslint/restrict-plus-operands -- careless string building is what this guards against */
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect('' + secret).toBe('[redacted]');
    expect(JSON.stringify(secret)).toBe('"[redacted]"');
    expect(JSON.stringify(keys)).toBe('{"accessKey":"ak","secretKey":"[redacted]","source":"test"}');
    expect(inspect(secret)).toBe('[redacted]');
    expect(inspect(keys, { depth: 5, showHidden: true })).not.toContain(SECRET);
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
    /* eslint-enable @typescript-eslint/restrict-template-expressions, @typescript-eslint/restrict-plus-operands */
  });

  it('never ends up in an error, however it is formatted', () => {
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the careless message this guards against
    const err = new Error(`signing with ${secret} failed`, { cause: { keys } });
    for (const text of [err.message, String(err), formatError(err), inspect(err, { depth: 10 }), JSON.stringify({ keys, err: String(err) })]) {
      expect(text).not.toContain(SECRET);
    }
  });

  it('reveals only on request', () => {
    expect(secret.reveal()).toBe(SECRET);
  });
});

describe('keys from the environment', () => {
  it('reads both, and nothing means paper trading', () => {
    const keys = keysFromEnv({ UPBIT_ACCESS_KEY: ' ak ', UPBIT_SECRET_KEY: SECRET });
    expect(keys?.accessKey).toBe('ak');
    expect(keys?.secretKey.reveal()).toBe(SECRET);
    expect(keys?.source).toBe('environment');
    expect(keysFromEnv({})).toBeUndefined();
    expect(keysFromEnv({ UPBIT_ACCESS_KEY: '', UPBIT_SECRET_KEY: '  ' })).toBeUndefined();
  });

  it('refuses half-configured keys, saying which one is missing', () => {
    expect(() => keysFromEnv({ UPBIT_ACCESS_KEY: 'ak' })).toThrow(/UPBIT_ACCESS_KEY is set but UPBIT_SECRET_KEY is not: set both/);
    expect(() => keysFromEnv({ UPBIT_SECRET_KEY: SECRET })).toThrow(/UPBIT_SECRET_KEY is set but UPBIT_ACCESS_KEY is not/);
    expect(() => keysFromEnv({ UPBIT_ACCESS_KEY: 'ak' })).toThrow(CredentialsError);
  });

  it('refuses a key with whitespace inside without quoting it', () => {
    let error: unknown;
    try {
      keysFromEnv({ UPBIT_ACCESS_KEY: 'ak', UPBIT_SECRET_KEY: 'half one\nhalf two' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CredentialsError);
    expect(String(error)).toMatch(/UPBIT_SECRET_KEY contains whitespace/);
    expect(inspect(error)).not.toContain('half one');
  });

  it('scrubs the variables from the environment on request', async () => {
    const env: Record<string, string | undefined> = { UPBIT_ACCESS_KEY: 'ak', UPBIT_SECRET_KEY: SECRET, HOME: '/home/me' };
    await expect(loadCredentials({ env, scrubEnv: true })).resolves.toMatchObject({ accessKey: 'ak' });
    expect(env).toEqual({ HOME: '/home/me' });
    const kept: Record<string, string | undefined> = { UPBIT_ACCESS_KEY: 'ak', UPBIT_SECRET_KEY: SECRET };
    await loadCredentials({ env: kept });
    expect(kept['UPBIT_SECRET_KEY']).toBe(SECRET);
  });

  it('loadCredentials reads the given environment', async () => {
    await expect(loadCredentials({ env: { UPBIT_ACCESS_KEY: 'ak', UPBIT_SECRET_KEY: SECRET } })).resolves.toMatchObject({ accessKey: 'ak' });
    await expect(loadCredentials({ env: {} })).resolves.toBeUndefined();
  });
});

describe.skipIf(process.platform === 'win32')('key file', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upbit-keys-'));
    file = join(dir, 'keys.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(text: string, mode: number): Promise<void> {
    await writeFile(file, text);
    await chmod(file, mode);
  }

  it('accepts a 0600 JSON file and prefers it over the environment', async () => {
    await write(JSON.stringify({ access_key: 'file-ak', secret_key: SECRET }), 0o600);
    const keys = await loadCredentials({ keyFile: file, env: { UPBIT_ACCESS_KEY: 'env-ak', UPBIT_SECRET_KEY: 'env-sk' } });
    expect(keys?.accessKey).toBe('file-ak');
    expect(keys?.secretKey.reveal()).toBe(SECRET);
    expect(keys?.source).toBe(`file ${file}`);
  });

  it('accepts 0400', async () => {
    await write(JSON.stringify({ access_key: 'ak', secret_key: SECRET }), 0o400);
    await expect(loadCredentials({ keyFile: file })).resolves.toMatchObject({ accessKey: 'ak' });
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses mode %o with the exact chmod to run', async (mode) => {
    await write(JSON.stringify({ access_key: 'ak', secret_key: SECRET }), mode);
    const error = await loadCredentials({ keyFile: file }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toContain(`chmod 600 ${file}`);
    expect((error as Error).message).toContain(`mode 0${mode.toString(8)}`);
    expect(inspect(error)).not.toContain(SECRET);
  });

  it('names a missing file, bad JSON and missing fields without quoting the content', async () => {
    await expect(loadCredentials({ keyFile: join(dir, 'nope.json') })).rejects.toThrow(/Cannot read the key file .*nope\.json \(it does not exist\)/);

    await write(`{"access_key": "ak", "secret_key": "${SECRET}"`, 0o600);
    const bad = await loadCredentials({ keyFile: file }).catch((err: unknown) => err);
    expect(String(bad)).toMatch(/is not valid JSON; write it as \{"access_key"/);
    expect(inspect(bad)).not.toContain(SECRET);

    await write(JSON.stringify({ access_key: 'ak' }), 0o600);
    await expect(loadCredentials({ keyFile: file })).rejects.toThrow(/has no "secret_key" string/);

    await write(JSON.stringify(['ak', SECRET]), 0o600);
    await expect(loadCredentials({ keyFile: file })).rejects.toThrow(/must hold a JSON object/);
  });

  it('refuses a directory', async () => {
    await expect(loadCredentials({ keyFile: dir })).rejects.toThrow(/not a regular file/);
  });
});
