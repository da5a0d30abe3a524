// Copies the repository's LICENSE next to package.json so that `vsce package`
// puts it into the .vsix. Runs from the `vscode:prepublish` script.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const here = path.resolve(__dirname, '..');
const root = path.resolve(here, '..', '..');
const candidates = ['LICENSE', 'LICENSE-MIT', 'LICENSE.md', 'LICENSE.txt'];
const found = candidates.map((n) => path.join(root, n)).find((p) => fs.existsSync(p));
if (found) {
  fs.copyFileSync(found, path.join(here, 'LICENSE'));
  console.log(`copied ${path.relative(here, found)} -> LICENSE`);
} else {
  console.warn(
    `warning: no LICENSE file at the repository root (${root}); the .vsix will be packaged without one`,
  );
}
