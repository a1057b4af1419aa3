/**
 * Whether the official client installed in the user's project (`@goauthentik/api`) is for the authentik release the
 * mock serves: a 2026 client against a 2024.8 contract throws inside the client on fields the mock never sends.
 * Releases are compared as authentik numbers them, `year.month` (2024.8.3 and 2024.8.1 are one API).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainObject } from '../contract/types.js';
import { packageFolder, packageVersion } from './package-document.js';
import { INDEX_FILE, PACKAGE_AUTHENTIK_VERSION, PACKAGE_SCHEMAS_DIR } from './schemas-dir.js';

const CLIENT_PACKAGE = '@goauthentik/api';

/** `2024.8.3-1729836831` → `2024.8`; undefined when it is not an authentik release number. */
function authentikRelease(version: string): string | undefined {
  return /^(\d{4}\.\d{1,2})(?:\.|-|$)/.exec(version)?.[1];
}

const readText = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The authentik release a schemas folder is: the package's own (same index), or the version of the package its
 * operations were imported from (`@goauthentik/api@2025.2.1/schema.yml`); undefined when the folder does not say.
 */
function servedRelease(schemasDir: string): string | undefined {
  const index = readText(join(schemasDir, INDEX_FILE));
  if (index === undefined) return undefined;
  if (index === readText(join(PACKAGE_SCHEMAS_DIR, INDEX_FILE))) return PACKAGE_AUTHENTIK_VERSION;
  let parsed: unknown;
  try {
    parsed = JSON.parse(index);
  } catch {
    return undefined;
  }
  const operations = isPlainObject(parsed) && Array.isArray(parsed['operations']) ? parsed['operations'] : [];
  for (const entry of operations) {
    const source = isPlainObject(entry) && typeof entry['source'] === 'string' ? entry['source'] : '';
    const version = source.startsWith(`${CLIENT_PACKAGE}@`) ? source.slice(CLIENT_PACKAGE.length + 1).split('/')[0] : undefined;
    const release = version && authentikRelease(version);
    if (release) return release;
  }
  return undefined;
}

/** The installed client's version, found as Node finds packages from `cwd`; undefined when none is installed. */
function installedClientVersion(cwd: string): string | undefined {
  const folder = packageFolder(CLIENT_PACKAGE, cwd);
  return folder && packageVersion(folder);
}

/** A client of another release than the served one: both, for the banner; undefined when they agree or one is unknown. */
export function clientMismatch(schemasDir: string, cwd: string): { client: string; served: string } | undefined {
  const client = installedClientVersion(cwd);
  const clientRelease = client && authentikRelease(client);
  const served = clientRelease && servedRelease(schemasDir);
  return client && served && served !== clientRelease ? { client, served } : undefined;
}
