/**
 * What `serve` decides from where it listens: who may use the control API (/_mock/) and from which Host names,
 * which pages may call the mock (CORS), and who may force answers.
 */
import type { CorsOrigins } from '../core/cors.js';
import { hostHeaderName, isLoopbackHost } from '../node/hosts.js';

/** `--reset-every` under `--demo` when none is given. */
export const DEMO_RESET_EVERY_MS = 3_600_000;

export const CONTROL_TOKEN_ENV = 'AUTHENTIK_MOCK_CONTROL_TOKEN';
/** Host names the control API always answers to (a request from this machine; IPv6 literals bracketed, as in Host). */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export interface ControlAccess {
  /** For MockOptions.controlToken: a key, `false` (control API off), or undefined (the core's default: the admin token). */
  controlToken: string | false | undefined;
  /** For MockOptions.allowedHosts. */
  allowedHosts: string[] | true;
  /** Where the key comes from, for the banner (`generated`: by `--demo`, printed once). */
  source: 'flag' | 'env' | 'generated' | 'admin' | 'off';
}

/**
 * Who may use /_mock/: `--control-token`, else $AUTHENTIK_MOCK_CONTROL_TOKEN, else a generated key (`--demo`), else
 * the admin token — except on a host other machines can reach, where the control API is off unless a control token
 * was given (a demo hands out the admin token; it must not also hand out dump, load and reset). Host names: loopback
 * names, the `--host` name or address, and `--allowed-hosts` (`all` for any).
 */
export function controlAccess(
  host: string,
  flags: { controlToken?: string; allowedHosts?: string[]; generatedToken?: string },
  env = process.env,
): ControlAccess {
  const fromEnv = env[CONTROL_TOKEN_ENV] || undefined;
  const token = flags.controlToken ?? fromEnv ?? flags.generatedToken;
  const source =
    flags.controlToken !== undefined
      ? 'flag'
      : fromEnv !== undefined
        ? 'env'
        : flags.generatedToken !== undefined
          ? 'generated'
          : isLoopbackHost(host)
            ? 'admin'
            : 'off';
  const own = hostHeaderName(host);
  const allowedHosts: string[] | true = flags.allowedHosts?.some((h) => h.toLowerCase() === 'all')
    ? true
    : [...new Set([...LOOPBACK_NAMES, ...(own ? [own] : []), ...(flags.allowedHosts ?? []).map((h) => h.toLowerCase())])];
  return { controlToken: source === 'off' ? false : token, allowedHosts, source };
}

/** Origins whose pages may call the mock: `--cors` (`*` for any), else any while only this machine can reach it. */
export function corsOrigins(host: string, flag: string[] | undefined): CorsOrigins | undefined {
  if (flag) return flag.includes('*') ? '*' : flag;
  return isLoopbackHost(host) ? '*' : undefined;
}

/** Where others can reach the server, only a caller with a key may force an answer (and hold a connection). */
export function forcedStatesFor(host: string, demo: boolean): 'anyone' | 'authenticated' {
  return demo || !isLoopbackHost(host) ? 'authenticated' : 'anyone';
}
