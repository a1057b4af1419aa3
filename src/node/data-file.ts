/**
 * `serve --data FILE`: the world's dump read at start and written back after changes. A write is atomic (a temp file
 * in the same folder, fsync'd, renamed over the target, then the folder fsync'd), so a crash or `kill -9` at any
 * moment leaves the previous file or the new one, never a partial one. Saves are debounced: a change is on disk at
 * most `delayMs` (plus one write) after it happened, however long a stream of changes lasts.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A saved world file's parsed content, or `undefined` when there is no world in it yet: no such file, or an empty one
 * (`touch world.json` is how people make files). Any other failure names the file.
 */
export function readDataFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
}

let sequence = 0;
const TEMP = /^\.(.+)\.(\d+)-(\d+)\.tmp$/;

/** `.world.json.<pid>-<n>.tmp` beside the target: same folder, so the rename never crosses file systems. */
const tempFileFor = (file: string) => join(dirname(file), `.${basename(file)}.${process.pid}-${++sequence}.tmp`);

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files a killed writer of `file` left behind (those of a still-running process are left alone). */
export function removeStaleTempFiles(file: string): string[] {
  const dir = dirname(file);
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = TEMP.exec(name);
    if (!match || match[1] !== basename(file) || isRunning(Number(match[2]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** fsync of the folder, so the rename itself survives a power cut (not supported everywhere: best effort). */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

/**
 * Why an existing `file` must not be replaced (`… is read-only (mode 0444)`), or undefined when it may be or does not
 * exist. The rename that saves it would replace even a file this process cannot write, or one its operator made
 * read-only; as root, which may write anything, the mode is what the operator said.
 */
export function notWritable(file: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
  const octal = `0${mode.toString(8).padStart(3, '0')}`;
  if ((mode & 0o222) === 0) return `${file} is read-only (mode ${octal})`;
  try {
    accessSync(file, constants.W_OK);
  } catch {
    return `${file} is not writable by this process (mode ${octal})`;
  }
  return undefined;
}

/**
 * Replaces `file` with `content` atomically. A new file is private (0600: a world dump holds every API key); an
 * existing one keeps its mode, and is replaced only if it is writable (see `notWritable`).
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array | Iterable<string>): Promise<void> {
  const refused = notWritable(file);
  if (refused) throw new Error(`${refused}: not replacing a file its operator protected (make it writable to save again)`);
  const temp = tempFileFor(file);
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) await handle.writeFile(content);
      else for (const batch of batched(content)) await handle.write(batch);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dirname(file));
}

/** Pieces of text joined into writes of about 1 MiB (a dump comes a record at a time). */
function* batched(pieces: Iterable<string>): Generator<string> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

export interface DebouncedSaver {
  /** Something changed: save within `delayMs`. Calls during that window are coalesced into the same save. */
  schedule(): void;
  /** Saves now if anything is unsaved (after a save in progress ends); resolves once it is on disk, rejects if it fails. */
  flush(): Promise<void>;
  /** A change is waiting to be saved, or a save is in progress. */
  readonly pending: boolean;
  /** Stops the timer; nothing is saved after this (call `flush()` first to keep the last changes). */
  cancel(): void;
}

export interface DebouncedSaverOptions {
  /** Longest a change waits before its save starts (ms). The first unsaved change starts the wait; later ones do not extend it. */
  delayMs: number;
  /**
   * A scheduled save failed. Without `retryMs` it is tried again `delayMs` after the next change (or by `flush()`);
   * with it, after `retryMs` whether anything changes or not.
   */
  onError?: (error: unknown) => void;
  /** A save succeeded (after a failure, say). */
  onSaved?: () => void;
  /** After a failed save, try again this long after it, doubling after each failure up to 60 s (ms). */
  retryMs?: number;
}

/** Longest wait between two tries of a failing save. */
const MAX_RETRY_MS = 60_000;

/**
 * Runs `save` once per burst of changes, never two at a time. Throttle-style rather than a pure trailing debounce: a
 * steady stream of changes must not postpone the save forever, or a crash would lose everything since the stream
 * began. A change's save starts at most `delayMs` after it, or when the save in progress then ends.
 */
export function createDebouncedSaver(save: () => Promise<void>, options: DebouncedSaverOptions): DebouncedSaver {
  let dirtySince: number | undefined; // when the oldest unsaved change happened
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let cancelled = false;
  let failures = 0; // failed saves in a row

  const arm = () => {
    if (timer || running || dirtySince === undefined || cancelled) return;
    timer = setTimeout(fire, Math.max(0, dirtySince + options.delayMs - Date.now()));
  };
  const start = (): Promise<void> => {
    dirtySince = undefined; // changes from now on need another save: this one may already have read the world
    const attempt = (async () => {
      try {
        await save();
        failures = 0;
      } catch (error) {
        failures++;
        dirtySince = Math.min(dirtySince ?? Infinity, Date.now()); // still unsaved; the next change tries again
        throw error;
      }
      options.onSaved?.();
    })();
    const settled = attempt.then(
      () => true,
      () => false,
    );
    running = settled.then(() => undefined);
    void settled.then((saved) => {
      running = undefined;
      if (saved)
        arm(); // changes made during the save
      else retry(); // without retryMs, no retry loop: the next change arms
    });
    return attempt;
  };
  const retry = () => {
    if (options.retryMs === undefined || timer || cancelled) return;
    timer = setTimeout(fire, Math.min(options.retryMs * 2 ** (failures - 1), MAX_RETRY_MS));
  };
  function fire() {
    timer = undefined;
    if (dirtySince === undefined || running || cancelled) return;
    start().catch((error: unknown) => options.onError?.(error));
  }

  return {
    schedule() {
      if (cancelled) return;
      dirtySince ??= Date.now();
      arm();
    },
    async flush() {
      while (running) await running;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (dirtySince === undefined || cancelled) return;
      await start();
    },
    get pending() {
      return dirtySince !== undefined || running !== undefined;
    },
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
