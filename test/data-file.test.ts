// serve --data: the world file read at start, written back atomically and debounced, and at shutdown.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDebouncedSaver, readDataFile, removeStaleTempFiles, writeFileAtomic } from '../src/node/data-file.js';
import { writeSchemasDir } from '../src/node/schemas-dir.js';
import { ROOT, mixedDocument } from './support/contracts.js';
import { CLI, serveCli, until, type Served } from './support/serve-cli.js';

const TOKEN = 'data-file-token';

let base: string;
let schemas: string;
let cases = 0;
/** A fresh folder per test. */
const folder = () => {
  const dir = join(base, `case-${++cases}`);
  rmSync(dir, { recursive: true, force: true });
  return mkdtempSync(`${dir}-`);
};
const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  base = mkdtempSync(join(tmpdir(), 'authentik-mock-data-'));
  schemas = join(base, 'schemas');
  // The seed pages plus a resource with create, update and delete (widgets): small, so saves are quick.
  writeSchemasDir(schemas, mixedDocument(), { generator: 'test', operations: [], components: [] });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('readDataFile', () => {
  it('is undefined for a file that does not exist yet, the value for JSON, and an error naming the file otherwise', () => {
    const dir = folder();
    expect(readDataFile(join(dir, 'missing.json'))).toBeUndefined();
    writeFileSync(join(dir, 'ok.json'), '{"a": 1}');
    expect(readDataFile(join(dir, 'ok.json'))).toEqual({ a: 1 });
    writeFileSync(join(dir, 'bad.json'), '{"a": ');
    expect(() => readDataFile(join(dir, 'bad.json'))).toThrow(`${join(dir, 'bad.json')}: not JSON`);
    expect(() => readDataFile(dir)).toThrow(dir);
  });
});

describe('writeFileAtomic', () => {
  it('writes the file, leaves no temp file, keeps an existing mode and makes a new file private', async () => {
    const dir = folder();
    const file = join(dir, 'world.json');
    await writeFileAtomic(file, 'one');
    expect(readFileSync(file, 'utf8')).toBe('one');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'shared.json'), 'old', { mode: 0o644 });
    await writeFileAtomic(join(dir, 'shared.json'), 'new');
    expect(readFileSync(join(dir, 'shared.json'), 'utf8')).toBe('new');
    expect(statSync(join(dir, 'shared.json')).mode & 0o777).toBe(0o644);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('a failed write leaves the old file and no temp file', async () => {
    const dir = folder();
    const file = join(dir, 'world.json');
    writeFileSync(file, 'old');
    await expect(writeFileAtomic(join(dir, 'no-such-folder', 'world.json'), 'x')).rejects.toThrow(/ENOENT/);
    // Renaming a file over a folder fails after the temp file is written: it must be cleaned up.
    await expect(writeFileAtomic(dir, 'x')).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(tempFiles(dir)).toEqual([]);
    expect(readdirSync(base).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('readers see the old or the new file, never a partial one, even when the writer is killed -9 mid-write', async () => {
    const dir = folder();
    const file = join(dir, 'world.json');
    const [a, b] = ['a', 'b'].map((which) => JSON.stringify({ which, pad: which.repeat(1 << 21) })) as [string, string];
    // A writer that swaps the two versions as fast as it can, from the built module as serve runs it.
    const writer = join(dir, 'writer.mjs');
    writeFileSync(
      writer,
      `import { writeFileAtomic } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'node', 'data-file.js')).href)};
const contents = ['a', 'b'].map((which) => JSON.stringify({ which, pad: which.repeat(1 << 21) }));
for (let i = 0; ; i++) {
  await writeFileAtomic(process.argv[2], contents[i % 2]);
  if (i === 1) process.stdout.write('ready\\n');
}
`,
    );
    const seen = new Set<string>();
    let deadPid = 0;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
      });
      // Read while it writes, until both versions were seen this round (bounded), then kill it at a different moment each round.
      const roundSeen = new Set<string>();
      for (let read = 0; read < 400 && (roundSeen.size < 2 || read < 5 + round * 7); read++) {
        const text = readFileSync(file, 'utf8');
        expect(text === a || text === b, `read ${read} of round ${round} is ${text.length} bytes, neither version`).toBe(true);
        roundSeen.add(text === a ? 'a' : 'b');
        await new Promise((r) => setTimeout(r, 1 + (read % 3)));
      }
      for (const which of roundSeen) seen.add(which);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      deadPid = child.pid!;
      const after = readFileSync(file, 'utf8');
      expect(after === a || after === b, `after kill -9 in round ${round}: ${after.length} bytes`).toBe(true);
    }
    expect([...seen].sort()).toEqual(['a', 'b']);

    // Temp files of a killed writer go at the next start; a running process's (ours) stay.
    writeFileSync(join(dir, `.world.json.${deadPid}-7.tmp`), 'partial');
    writeFileSync(join(dir, `.world.json.${process.pid}-7.tmp`), 'in progress');
    writeFileSync(join(dir, `.other.json.${deadPid}-7.tmp`), 'not ours');
    removeStaleTempFiles(file);
    expect(tempFiles(dir).sort()).toEqual([`.other.json.${deadPid}-7.tmp`, `.world.json.${process.pid}-7.tmp`]);
  });
});

describe('createDebouncedSaver', () => {
  afterEach(() => void vi.useRealTimers());

  /** A saver whose saves take `ms` (fake time) and are recorded with their start and end. */
  function recorded(delayMs: number, ms = 0, fail?: () => Error | undefined) {
    const saves: Array<{ start: number; end?: number }> = [];
    let active = 0;
    let overlap = false;
    const onError = vi.fn();
    const saver = createDebouncedSaver(
      async () => {
        const save: { start: number; end?: number } = { start: Date.now() };
        saves.push(save);
        overlap ||= ++active > 1;
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        active--;
        save.end = Date.now();
        const error = fail?.();
        if (error) throw error;
      },
      { delayMs, onError },
    );
    return { saver, saves, onError, overlap: () => overlap };
  }

  it('coalesces a burst of changes into one save, delayMs after the first', async () => {
    vi.useFakeTimers({ now: 0 });
    const { saver, saves } = recorded(1000);
    for (let i = 0; i < 50; i++) {
      saver.schedule();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(saves).toEqual([]);
    expect(saver.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(saves.map((s) => s.start)).toEqual([1000]);
    expect(saver.pending).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(saves).toHaveLength(1);
  });

  it('under a steady stream of changes, every change is saved within the delay (a stream never postpones saving)', async () => {
    vi.useFakeTimers({ now: 0 });
    const { saver, saves, overlap } = recorded(1000, 300);
    const changes: number[] = [];
    for (let t = 0; t < 10_000; t += 70) {
      changes.push(Date.now());
      saver.schedule();
      await vi.advanceTimersByTimeAsync(70);
    }
    const flushed = saver.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await flushed;
    expect(overlap()).toBe(false);
    // Far fewer saves than changes, and each change's save started within the delay, or as the save then running ended.
    expect(saves.length).toBeLessThan(changes.length / 5);
    for (const changed of changes) {
      const saved = saves.find((s) => s.start >= changed)!;
      expect(saved, `change at ${changed}`).toBeDefined();
      expect(saved.start - changed).toBeLessThanOrEqual(1000 + 300);
    }
  });

  it('flush() saves what is unsaved at once, after a save in progress, and does nothing when all is saved', async () => {
    vi.useFakeTimers({ now: 0 });
    const { saver, saves } = recorded(1000, 100);
    await saver.flush();
    expect(saves).toEqual([]);

    saver.schedule();
    const flushed = saver.flush();
    await vi.advanceTimersByTimeAsync(100);
    await flushed;
    expect(saves.map((s) => s.start)).toEqual([0]);

    saver.schedule();
    await vi.advanceTimersByTimeAsync(1050); // the save of that change started at 1100 and is still running
    saver.schedule(); // a change it may not include
    const second = saver.flush();
    await vi.advanceTimersByTimeAsync(300);
    await second;
    expect(saves).toHaveLength(3);
    expect(saves[2]!.start).toBe(saves[1]!.end);
    expect(saver.pending).toBe(false);
  });

  it('a failed save is reported, kept unsaved, tried again after the next change, and flush() rejects with it', async () => {
    vi.useFakeTimers({ now: 0 });
    let failing = true;
    const { saver, saves, onError } = recorded(500, 0, () => (failing ? new Error('disk full') : undefined));
    saver.schedule();
    await vi.advanceTimersByTimeAsync(500);
    expect(onError).toHaveBeenCalledWith(new Error('disk full'));
    expect(saver.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(saves).toHaveLength(1); // no retry loop
    await expect(saver.flush()).rejects.toThrow('disk full');
    failing = false;
    saver.schedule();
    await vi.advanceTimersByTimeAsync(500);
    expect(saves).toHaveLength(3);
    expect(saver.pending).toBe(false);
  });

  it('cancel() stops it', async () => {
    vi.useFakeTimers({ now: 0 });
    const { saver, saves } = recorded(100);
    saver.schedule();
    saver.cancel();
    saver.schedule();
    await vi.advanceTimersByTimeAsync(1000);
    await saver.flush();
    expect(saves).toEqual([]);
  });
});

// ——— end to end: the built CLI ———

/** `serve` on the small schemas folder, with the test's token and no request log. */
const serve = (...args: string[]) => serveCli(['--schemas', schemas, '--records', '2', '--token', TOKEN, '--quiet', ...args]);

const call = (served: Served, method: string, path: string, body?: unknown) =>
  fetch(`${served.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** Our widgets (slug prefix `w-`) as the server has them: slug → name. */
async function widgets(served: Served): Promise<Record<string, string>> {
  const response = await call(served, 'GET', 'widgets/widgets/?page_size=100000');
  expect(response.status).toBe(200);
  const page = (await response.json()) as { results: Array<{ slug: string; name: string }> };
  return Object.fromEntries(page.results.filter((w) => w.slug.startsWith('w-')).map((w) => [w.slug, w.name]));
}

const savedWorld = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { format: string; records: Record<string, unknown[]> };

describe('serve --data (the built CLI)', () => {
  it('starts from the seed when the file does not exist, creates it at the first change, and SIGTERM saves the last change', async () => {
    const dir = folder();
    const file = join(dir, 'world.json');
    const first = await serve('--data', file, '--save-delay', '60000');
    try {
      expect(first.stdout()).toContain(`data        ${file}  (not there yet`);
      expect((await call(first, 'GET', 'widgets/widgets/')).status).toBe(200);
      expect(existsSync(file)).toBe(false); // reads change nothing
      expect((await call(first, 'POST', 'widgets/widgets/', { name: 'first', slug: 'w-first' })).status).toBe(201);
      expect((await call(first, 'PATCH', 'widgets/widgets/w-first/', { name: 'renamed' })).status).toBe(200);
    } finally {
      // The save delay (a minute) has not passed: only the shutdown save can have written it.
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    expect(savedWorld(file).format).toBeDefined();
    expect(tempFiles(dir)).toEqual([]);

    const second = await serve('--data', file);
    try {
      expect(second.stdout()).toContain(`data        ${file}  (loaded;`);
      expect(await widgets(second)).toEqual({ 'w-first': 'renamed' });
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }
  });

  it('a file that is not a world is refused at start, naming it, and left as it was', async () => {
    const dir = folder();
    const file = join(dir, 'world.json');
    writeFileSync(file, '{"not": "a dump"}');
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--schemas', schemas, '--data', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk) => (errors += String(chunk)));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(errors).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('{"not": "a dump"}');
  });

  it('kill -9 during a stream of writes: the file parses, loads, and is the world after one of the writes, in full', async () => {
    const dir = folder();
    const file = join(dir, 'world.json');
    const served = await serve('--data', file, '--save-delay', '200');
    // Creates, renames and deletes, one at a time; after each answer, the expected state (slug → name) is recorded.
    const began = Date.now();
    const states: Array<Record<string, string>> = [{}];
    const current: Record<string, string> = {};
    const writes = (async () => {
      for (let i = 0; ; i++) {
        let response: Response;
        try {
          if (i % 5 === 3 && current[`w-${i - 2}`]) {
            response = await call(served, 'PATCH', `widgets/widgets/w-${i - 2}/`, { name: `renamed ${i}` });
            if (response.status === 200) current[`w-${i - 2}`] = `renamed ${i}`;
          } else if (i % 7 === 6 && current[`w-${i - 4}`]) {
            response = await call(served, 'DELETE', `widgets/widgets/w-${i - 4}/`);
            if (response.status === 204) delete current[`w-${i - 4}`];
          } else {
            response = await call(served, 'POST', 'widgets/widgets/', { name: `widget ${i}`, slug: `w-${i}` });
            if (response.status === 201) current[`w-${i}`] = `widget ${i}`;
          }
        } catch {
          return; // killed: this request has no answer
        }
        if (response.status >= 300) throw new Error(`write ${i}: ${response.status} ${await response.text()}`);
        states.push({ ...current });
      }
    })();
    // Wait until the file exists and the stream has gone on for several save delays, then kill it mid-stream.
    await until(() => existsSync(file) && states.length > 50 && Date.now() - began > 3000);
    served.child.kill('SIGKILL');
    await served.exited;
    await writes;
    expect(states.length).toBeGreaterThan(50);

    const dump = savedWorld(file); // parses: never a partial file
    expect(dump.records).toBeDefined();
    const restarted = await serve('--data', file);
    try {
      expect(tempFiles(dir)).toEqual([]); // a temp file the kill left behind is gone
      const saved = await widgets(restarted);
      // The file is the world after some write k: everything up to k, nothing after. The file existed before the
      // kill, and it is only ever written after a change: k is at least the first write. (How recent k is depends on
      // the machine's speed: that is measured by the benchmarks, not asserted here.)
      const k = states.findLastIndex((state) => JSON.stringify(state) === JSON.stringify(saved));
      expect(k, `saved state ${JSON.stringify(saved)} is no state the stream went through`).toBeGreaterThanOrEqual(1);
    } finally {
      expect(await restarted.stop('SIGTERM')).toBe(0);
    }
  }, 60_000);
});
