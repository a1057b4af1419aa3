import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { importFiles, importSources } from '../src/node/import-files.js';
import { readSchemasDir } from '../src/node/schemas-dir.js';
import type { SchemasIndex } from '../src/contract/types.js';

/** A small synthetic OpenAPI document, as a package or a server would ship it. */
function thingsDocument(version: string): Record<string, unknown> {
  const thing = { $ref: '#/components/schemas/Thing' };
  return {
    openapi: '3.0.3',
    info: { title: 'authentik', version },
    servers: [{ url: '/api/v3/' }],
    security: [{ authentik: [] }],
    paths: {
      '/things/': {
        get: {
          operationId: 'things_list',
          responses: { '200': { description: '', content: { 'application/json': { schema: { type: 'array', items: thing } } } } },
        },
      },
      '/things/{id}/': {
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'integer' } }],
        get: {
          operationId: 'things_retrieve',
          responses: { '200': { description: '', content: { 'application/json': { schema: thing } } } },
        },
      },
    },
    components: {
      schemas: {
        Thing: { type: 'object', properties: { pk: { type: 'integer', readOnly: true }, name: { type: 'string' } }, required: ['pk'] },
      },
    },
  };
}

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const indexOf = (out: string) => JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SchemasIndex;

/** A project folder with packages installed: each `files` path relative to the package folder. */
function projectWith(packages: Record<string, Record<string, string>>): string {
  const project = tempDir('project-');
  for (const [name, files] of Object.entries(packages)) {
    for (const [file, text] of Object.entries(files)) {
      const path = join(project, 'node_modules', name, file);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
    }
  }
  return project;
}

describe('import <installed package>', () => {
  const project = projectWith({
    '@goauthentik/api': {
      'package.json': JSON.stringify({ name: '@goauthentik/api', version: '2099.1.0', main: './dist/index.js' }),
      'schema.yml': toYaml(thingsDocument('2099.1.0')),
    },
    'json-in-dist': {
      'package.json': JSON.stringify({ name: 'json-in-dist', version: '1.2.3', exports: { '.': './index.js' } }),
      'dist/openapi.json': JSON.stringify(thingsDocument('1')),
    },
    'no-schema': { 'package.json': JSON.stringify({ name: 'no-schema', version: '0.0.1' }), 'index.js': '' },
  });

  it('imports the OpenAPI document the package ships, found from the given cwd, and names its version', () => {
    const out = join(tempDir('out-'), 'schemas');
    const result = importFiles(['@goauthentik/api'], { out, cwd: project });
    expect(result.errors).toEqual([]);
    expect(readSchemasDir(out).operations.map((o) => o.operationId)).toEqual(['things_list', 'things_retrieve']);
    expect(indexOf(out).operations.map((o) => o.source)).toEqual([
      '@goauthentik/api@2099.1.0/schema.yml',
      '@goauthentik/api@2099.1.0/schema.yml',
    ]);
  });

  it('finds it from a folder below the project too, and in a common subfolder even when package.json is not exported', () => {
    const below = join(project, 'src', 'deep');
    mkdirSync(below, { recursive: true });
    const out = join(tempDir('out-'), 'schemas');
    const result = importFiles(['json-in-dist'], { out, cwd: below });
    expect(result.errors).toEqual([]);
    expect(indexOf(out).operations[0]?.source).toBe('json-in-dist@1.2.3/dist/openapi.json');
  });

  it('a package without a document, or none installed, is one clear line naming it and what was looked for', () => {
    const out = join(tempDir('out-'), 'schemas');
    const result = importFiles(['no-schema', '@goauthentik/nope', '@goauthentik/api'], { out, cwd: project });
    expect(result.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^no-schema: the installed package no-schema@0\.0\.1 ships no OpenAPI document \(looked for schema\.yml, .*openapi\.json in its root and in dist\/, /,
      ),
      expect.stringMatching(
        /^@goauthentik\/nope: no such file or folder, and no installed package of that name \(searched node_modules from /,
      ),
    ]);
    for (const error of result.errors) expect(error.message).not.toContain('\n');
    expect(readSchemasDir(out).operations).toHaveLength(2);
  });

  it('a file or folder of that name wins over a package', () => {
    const out = join(tempDir('out-'), 'schemas');
    mkdirSync(join(project, 'local'), { recursive: true });
    writeFileSync(join(project, 'local', 'schema.json'), JSON.stringify(thingsDocument('local')));
    const result = importFiles(['local'], { out, cwd: project });
    expect(result.errors).toEqual([]);
    expect(indexOf(out).operations[0]?.source).toBe('local/schema.json');
  });
});

describe('import <http(s) URL>', () => {
  let server: Server;
  let base: string;
  let closedPort: number;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/api/v3/schema/')
        res.writeHead(200, { 'content-type': 'application/vnd.oai.openapi' }).end(toYaml(thingsDocument('yaml')));
      else if (req.url === '/schema.json')
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(thingsDocument('json')));
      else if (req.url === '/slow')
        res.writeHead(200).write('openapi: 3.0.3\n'); // and never ends
      else if (req.url === '/login') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>log in</html>');
      else res.writeHead(404, 'Not Found').end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("imports a live server's schema (YAML) and a JSON one, named by their URLs, sending the token when given", async () => {
    const out = join(tempDir('out-'), 'schemas');
    const result = await importSources([`${base}/api/v3/schema/`], { out, token: 'secret-key' });
    expect(result.errors).toEqual([]);
    expect(indexOf(out).operations.map((o) => o.source)).toEqual([`${base}/api/v3/schema/`, `${base}/api/v3/schema/`]);
    expect(seen.at(-1)?.['authorization']).toBe('Bearer secret-key');
    expect(seen.at(-1)?.['accept']).toMatch(/application\/vnd\.oai\.openapi/);

    const json = await importSources([`${base}/schema.json`], { out: join(tempDir('out-'), 'schemas') });
    expect(json.errors).toEqual([]);
    expect(json.contract.operations.map((o) => o.operationId)).toEqual(['things_list', 'things_retrieve']);
  });

  it('each failure is one line naming the URL and the reason; files beside them still import', async () => {
    const dir = tempDir('mixed-');
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(thingsDocument('file')));
    const out = join(dir, 'schemas');
    const refused = `http://127.0.0.1:${closedPort}/api/v3/schema/`;
    const result = await importSources([`${base}/missing/`, refused, `${base}/slow`, 'schema.json', `${base}/login`], {
      out,
      cwd: dir,
      timeoutMs: 300,
    });
    expect(result.errors.map((e) => e.message)).toEqual([
      `${base}/missing/: HTTP 404 Not Found`,
      `${refused}: cannot connect (ECONNREFUSED)`,
      `${base}/slow: no answer within 0.3 s`,
      `${base}/login: not an authentik API docs page or OpenAPI 3 document`,
    ]);
    expect(indexOf(out).operations.map((o) => o.source)).toEqual(['schema.json', 'schema.json']);
  });

  it('the CLI prints the same line and exits 1', async () => {
    const root = join(import.meta.dirname, '..');
    const cli = [
      join(root, 'src', 'cli', 'main.ts'),
      'import',
      `${base}/missing/`,
      '--out',
      join(tempDir('cli-'), 'schemas'),
      '--timeout',
      '5',
    ];
    const run = promisify(execFile)(process.execPath, ['--import', import.meta.resolve('tsx'), ...cli], { cwd: tempDir('cwd-') });
    const failure = await run.then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([`error: ${base}/missing/: HTTP 404 Not Found`]);
  });
});
