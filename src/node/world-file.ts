/**
 * A world kept in a file (`serve --data`): loaded at start, saved after changes, saved again at exit. Once a save
 * fails, API writes answer 503 saying why (nothing is acknowledged that would be lost; reads go on) and the save is
 * tried again on its own, backing off to a minute; once one succeeds, writes are accepted again.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import type { MockServer } from '../mock-server.js';
import {
  createDebouncedSaver,
  notWritable,
  readDataFile,
  removeStaleTempFiles,
  writeFileAtomic,
  type DebouncedSaver,
} from './data-file.js';

/** What the file held at start: a world (`loaded`), nothing yet (`new`: no file), or an empty file (`empty`). */
export type DataFileState = 'loaded' | 'new' | 'empty';

export interface OpenedDataFile {
  file: string;
  state: DataFileState;
  /** The world it holds (undefined unless `loaded`). */
  world: unknown;
}

/**
 * Opens `file` for keeping the world: the folder, and the file if it exists, must be writable now, not at the first
 * save. Stale temp files of a killed writer are removed.
 */
export function openDataFile(file: string): OpenedDataFile {
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw new Error(`${file}: its folder is not writable (${(error as Error).message})`);
  }
  const refused = notWritable(file);
  if (refused) throw new Error(`${refused}: --data saves changes there; make it writable, or serve a writable copy of it`);
  removeStaleTempFiles(file);
  const world = readDataFile(file);
  const state: DataFileState = world !== undefined ? 'loaded' : existsSync(file) && statSync(file).isFile() ? 'empty' : 'new';
  return { file, state, world };
}

/** What keeping the file reports: a save that failed (API writes refused meanwhile), and the first that succeeds after. */
export type SaveEvent = { kind: 'save-failed'; file: string; message: string } | { kind: 'saved-again'; file: string };

/** Saves the mock's world to `file` at most `delayMs` after each change; see the module comment for failures. */
export function keepWorldIn(mock: MockServer, file: string, delayMs: number, report: (event: SaveEvent) => void): DebouncedSaver {
  const saver = createDebouncedSaver(() => writeFileAtomic(file, dumpFileText(mock)), {
    delayMs,
    retryMs: Math.max(delayMs, 1000),
    onError: (error) => {
      const message = (error as Error).message;
      report({ kind: 'save-failed', file, message });
      // Visitors see the file's name, not where it lives on the operator's machine.
      const shown = message.split(`${dirname(file)}${sep}`).join('');
      mock.refuseWrites(
        `This mock cannot save its data (${basename(file)}: ${shown}), so it takes no writes until a save succeeds; reads go on.`,
      );
    },
    onSaved: () => {
      if (mock.writesRefused === undefined) return;
      mock.refuseWrites(undefined);
      report({ kind: 'saved-again', file });
    },
  });
  mock.onChange(() => saver.schedule());
  return saver;
}

/** The world as the data file holds it: the dump's text, a record at a time, and a final newline. */
function* dumpFileText(mock: MockServer): Generator<string> {
  yield* mock.world.dumpText();
  yield '\n';
}
