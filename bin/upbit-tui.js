#!/usr/bin/env node
// A bin of a few lines: production React (the dev build costs ~50% more per frame), then the CLI.
// The one-file bundle (scripts/bundle.mjs) starts about 4x faster than the module tree.
process.env.NODE_ENV ??= 'production';
const { main } = await import('../dist/bundle/upbit-tui.mjs').catch((error) => {
  process.stderr.write(`upbit-tui: the build is missing (${error.message}). Run "npm run build" in the package folder.\n`);
  process.exit(1);
});
await main(process.argv);
