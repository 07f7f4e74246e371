import { describe, expect, it } from 'vitest';
import { inkIncrementalRenderingIsSafe } from '../../src/ui/ink-renderer.js';

describe('Ink renderer', () => {
  it('has the backported incremental-rendering fix applied (patches/ink+6.8.0.patch)', () => {
    // Without it every frame after the first lands one row low (ink#909). The pseudo-terminal
    // tests replay the real output through a terminal emulator and catch that too.
    expect(inkIncrementalRenderingIsSafe()).toBe(true);
  });
});
