/** The built CLI's `serve`, started as a user starts it, for end-to-end tests (loopback, a free port). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './contracts.js';

export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface Served {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The API URL the banner prints. */
  api: string;
  banner: string;
  stdout: () => string;
  stderr: () => string;
  /** The exit code; -1 when a signal killed it. */
  exited: Promise<number | null>;
  /** Sends the signal (SIGTERM by default) and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * `serve --host 127.0.0.1 --port 0 …args` (in `cwd`, default this process's) until its banner (on stdout, or stderr
 * with `--log json`) is complete. Throws, with what it printed, when it exits first.
 */
export async function serveCli(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Served> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    cwd,
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  await new Promise<void>((resolve, reject) => {
    const check = () => (stdout + stderr).includes('user token') && resolve();
    child.stdout!.on('data', (chunk) => ((stdout += String(chunk)), check()));
    child.stderr!.on('data', (chunk) => ((stderr += String(chunk)), check()));
    void exited.then((code) => reject(new Error(`serve exited with ${code} before it was ready: ${stderr}`)));
  });
  const banner = stdout.includes('user token') ? stdout : stderr;
  const api = /API\s+(\S+)/.exec(banner)?.[1];
  if (!api) throw new Error(`no API line in the banner:\n${banner}`);
  return {
    child,
    origin: new URL(api).origin,
    api,
    banner,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** The built CLI run to its end: exit code, stdout and stderr (a failing run resolves too). */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The key or login the banner prints after `label` (`admin token`, `user token`, `admin login`…). */
export function printed(served: Served, label: string): string {
  const value = new RegExp(`^ *${label}[^:\\n]*: +(\\S.*)$`, 'm').exec(served.banner)?.[1];
  if (!value) throw new Error(`no ${label} in the banner:\n${served.banner}`);
  return value.trim();
}

/** Waits (bounded by the test's timeout) until `check` holds. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}
