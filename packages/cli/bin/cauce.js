#!/usr/bin/env node
// The `cauce` command. This launcher is committed (not built) so that `npm install` can link it into
// node_modules/.bin on a fresh clone: npm skips a bin whose file does not exist yet, and dist/ only exists
// after `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'error: the cauce command is not built yet\nhint: run `npm run build` (or `npm start`) in the repository first\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 70;
  },
);
