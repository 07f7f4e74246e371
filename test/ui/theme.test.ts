import { describe, expect, it } from 'vitest';
import { GLOBAL_KEYS, keyHint } from '../../src/ui/keymap.js';
import { changeColor, connectionColor, isColorMode, resolveColorMode, themeFor } from '../../src/ui/theme.js';

describe('theme', () => {
  it('paints rises red and falls blue in korean mode, green and red in global mode', () => {
    expect(changeColor(themeFor('korean'), 'RISE')).toBe('red');
    expect(changeColor(themeFor('korean'), 'FALL')).toBe('blueBright');
    expect(changeColor(themeFor('global'), 'RISE')).toBe('green');
    expect(changeColor(themeFor('global'), 'FALL')).toBe('red');
    expect(changeColor(themeFor('korean'), 'EVEN')).toBeUndefined();
  });

  it('has no colour and no attributes at all in none mode', () => {
    const none = themeFor('none');
    expect(changeColor(none, 'RISE')).toBeUndefined();
    expect(connectionColor(none, { state: 'live', since: 0 })).toBeUndefined();
    expect(none.attributes).toBe(false);
  });

  it('lets an explicit choice beat NO_COLOR, and NO_COLOR beat the default', () => {
    expect(resolveColorMode(undefined, {})).toBe('korean');
    expect(resolveColorMode(undefined, { NO_COLOR: '1' })).toBe('none');
    expect(resolveColorMode(undefined, { NO_COLOR: '' })).toBe('korean');
    expect(resolveColorMode('global', { NO_COLOR: '1' })).toBe('global');
    expect(isColorMode('global')).toBe(true);
    expect(isColorMode('rainbow')).toBe(false);
  });
});

describe('keymap', () => {
  it('hints exactly the bound keys, grouped by what they do', () => {
    expect(keyHint(GLOBAL_KEYS)).toBe('q/ctrl+c quit');
    expect(keyHint(GLOBAL_KEYS.filter((b) => b.viaSignal))).toBe('ctrl+c quit');
  });
});
