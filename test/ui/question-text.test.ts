/** The bottom line's questions in words: whole at 80 columns (SSH's usual width), cut before their keys when narrower. */
import { describe, expect, it } from 'vitest';

import { questionText } from '../../src/ui/BottomLine.js';
import { textWidth } from '../../src/ui/text-width.js';
import type { Question } from '../../src/ui/ui-state.js';

const NOW = 1_700_000_000_000;

describe('questionText', () => {
  it('says the exit question whole at 80 columns, for one order and for many', () => {
    const one: Question = { kind: 'exit', count: 1, deadline: NOW + 5_000 };
    const many: Question = { kind: 'exit', count: 12, deadline: NOW + 5_000 };
    expect(questionText(one, 80, NOW)).toBe('Quitting: 1 open order. Enter leave it (5s)  c cancel it  ctrl+c now');
    expect(questionText(many, 80, NOW)).toBe('Quitting: 12 open orders. Enter leave them (5s)  c cancel them  ctrl+c now');
  });

  it('cuts the question, never its keys, on a narrower line', () => {
    const q: Question = { kind: 'exit', count: 1, deadline: NOW + 3_000 };
    const line = questionText(q, 56, NOW);
    expect(textWidth(line)).toBe(56);
    expect(line).toMatch(/^Quitting: … Enter leave it \(3s\) {2}c cancel it {2}ctrl\+c now$/);
  });
});
