import { CONSOLE_CSS } from './console.css.js';
import { CONSOLE_JS } from './console.js.js';
import { ICON_SVG } from './icon.svg.js';
import { PAGE_HTML } from './page.html.js';

/**
 * The demo console's files, served under /_mock/ui/ by control.ts: a page, its style sheet, its one ES module and
 * an icon. They are string constants so the core stays browser-safe (no fs at run time) and `tsc` alone builds them.
 */
export interface ConsoleAsset {
  contentType: string;
  body: string;
}

const ASSETS: Record<string, ConsoleAsset> = {
  '': { contentType: 'text/html; charset=utf-8', body: PAGE_HTML },
  'index.html': { contentType: 'text/html; charset=utf-8', body: PAGE_HTML },
  'console.css': { contentType: 'text/css; charset=utf-8', body: CONSOLE_CSS },
  'console.js': { contentType: 'text/javascript; charset=utf-8', body: CONSOLE_JS },
  'icon.svg': { contentType: 'image/svg+xml', body: ICON_SVG },
};

/** The file at `name` (the part after /_mock/ui/; '' is the page itself), or undefined. */
export function consoleAsset(name: string): ConsoleAsset | undefined {
  return Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
}
