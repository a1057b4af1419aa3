// npm run test:contract — starts the mock on the committed schemas/ and runs `authentik-mock contract` against it,
// writes allowed; any failure fails the build. Uses the built CLI, exactly as a user runs it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
const token = 'contract-ci-token';

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});

const server = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--token', token], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  server.stdout.on('data', (chunk) => String(chunk).includes('API') && resolve());
  server.once('exit', (code) => reject(new Error(`the mock exited with ${code} before it was ready`)));
});

const contract = spawn(
  process.execPath,
  [cli, 'contract', '--base-url', `http://127.0.0.1:${port}`, '--token', token, '--allow-writes', '--junit', 'contract-report.xml'],
  { stdio: 'inherit' },
);
const code = await new Promise((resolve) => contract.once('exit', resolve));
server.kill('SIGTERM');
process.exit(code ?? 1);
