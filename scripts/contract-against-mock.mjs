// npm run test:contract — starts the mock on the committed schemas/ and runs `authentik-mock contract` against it,
// writes allowed; any failure fails the build. Uses the built CLI, exactly as a user runs it. The mock takes a free
// port (--port 0, read back from its banner) and keeps no request log (--quiet: nobody reads it here).
import { spawn } from 'node:child_process';

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
const token = 'contract-ci-token';

const server = spawn(process.execPath, [cli, 'serve', '--port', '0', '--quiet', '--token', token], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const origin = await new Promise((resolve, reject) => {
  let banner = '';
  server.stdout.on('data', (chunk) => {
    banner += String(chunk);
    const api = /API\s+(\S+)/.exec(banner)?.[1];
    if (api) resolve(new URL(api).origin);
  });
  server.once('exit', (code) => reject(new Error(`the mock exited with ${code} before it was ready`)));
});

const contract = spawn(
  process.execPath,
  [cli, 'contract', '--base-url', origin, '--token', token, '--allow-writes', '--junit', 'contract-report.xml'],
  { stdio: 'inherit' },
);
const code = await new Promise((resolve) => contract.once('exit', resolve));
server.kill('SIGTERM');
process.exit(code ?? 1);
