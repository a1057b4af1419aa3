/** The login page's files, read from the package (`login-page/`) by the Node side only: no browser bundle carries them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoginPageFiles } from '../flows/login-page.js';

/** `login-page/` at the package's root (from dist/node/ or src/node/ alike). */
export const LOGIN_PAGE_DIR = fileURLToPath(new URL('../../login-page/', import.meta.url));

let files: LoginPageFiles | undefined;

export function readLoginPage(): LoginPageFiles {
  return (files ??= {
    html: readFileSync(`${LOGIN_PAGE_DIR}flow.html`, 'utf8'),
    js: readFileSync(`${LOGIN_PAGE_DIR}flow.js`, 'utf8'),
    css: readFileSync(`${LOGIN_PAGE_DIR}flow.css`, 'utf8'),
  });
}
