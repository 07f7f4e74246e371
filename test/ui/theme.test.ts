import { describe, expect, it } from 'vitest';
import { changeColor, connectionColor, decideColorMode, isColorMode, themeFor } from '../../src/ui/theme.js';

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

  it('decides colour in one order: --no-color, FORCE_COLOR, a non-empty NO_COLOR, TERM=dumb, then --colors', () => {
    const decide = (env: Record<string, string>, convention: 'korean' | 'global' = 'global', color = true) => decideColorMode({ convention, color, env });
    expect(decide({}, 'korean')).toBe('korean');
    expect(decide({})).toBe('global');
    // --colors picks the palette only: NO_COLOR still means no colour.
    expect(decide({ NO_COLOR: '1' })).toBe('none');
    expect(decide({ NO_COLOR: '' })).toBe('global');
    expect(decide({}, 'global', false)).toBe('none');
    expect(decide({ FORCE_COLOR: '1' }, 'global', false)).toBe('none');
    expect(decide({ FORCE_COLOR: '1', NO_COLOR: '1' })).toBe('global');
    expect(decide({ FORCE_COLOR: '', NO_COLOR: '1' })).toBe('none');
    expect(decide({ FORCE_COLOR: '0' })).toBe('none');
    expect(decide({ FORCE_COLOR: 'false' })).toBe('none');
    expect(decide({ TERM: 'dumb' })).toBe('none');
    expect(decide({ TERM: 'dumb', FORCE_COLOR: '1' })).toBe('global');
    expect(isColorMode('global')).toBe(true);
    expect(isColorMode('rainbow')).toBe(false);
  });
});
