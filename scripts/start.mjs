// npm start [-- serve flags]: builds dist/ when it is missing or older than src/ (a fresh clone has none: the build
// runs at `npm pack`, not at install), then runs `authentik-mock serve` in this process. npm runs this through a
// shell that does not pass signals on: when that shell or npm goes away (npm stopped or killed), this process is
// handed to another parent, and the server stops as on SIGTERM (saving --data first) instead of keeping the port.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'dist', 'cli', 'main.js');

/** The newest modification time of the files below `dir`. */
function newest(dir) {
  return Math.max(0, ...readdirSync(dir, { recursive: true }).map((name) => statSync(join(dir, String(name))).mtimeMs));
}

// Who started this process (npm's shell), taken before anything else: the build below may outlive it.
const parent = process.ppid;
const stopWhenOrphaned = () => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
};

if (!existsSync(main) || newest(join(root, 'src')) > statSync(main).mtimeMs) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  if (process.ppid !== parent) process.exit(0); // stopped while it built
}

setInterval(stopWhenOrphaned, 250).unref();

process.argv.splice(2, 0, 'serve');
await import(main);
