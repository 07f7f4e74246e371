// bench/frame-cost/build.ts's "grid" variant: Ink's Output.get always builds its cell grid,
// as upstream Ink 6.8 does (patches/ink+6.8.0.patch's rowsWithoutGrid never answers).
export const rowsWithoutGrid = (): undefined => undefined;
