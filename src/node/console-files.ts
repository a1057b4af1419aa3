/** The demo console's files (/_mock/ui/), read from the package's console/ folder for the mocks Node makes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConsoleFiles } from '../core/control.js';

/** The console/ folder shipped with the package: two levels up from this module, in src/node/ and in dist/node/ alike. */
const PACKAGE_CONSOLE_DIR = fileURLToPath(new URL('../../console', import.meta.url));

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

let read: ConsoleFiles | undefined;

/** The page (as '' and `index.html`), its style sheet, its one ES module and its icon: read once per process. */
export function consoleFiles(): ConsoleFiles {
  if (read) return read;
  const files = Object.fromEntries(
    Object.entries(TYPES).map(([name, contentType]) => [
      name,
      { contentType, body: readFileSync(`${PACKAGE_CONSOLE_DIR}/${name}`, 'utf8') },
    ]),
  );
  return (read = { '': files['index.html']!, ...files });
}
