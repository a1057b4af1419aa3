/**
 * What a page keeps across reloads in Web Storage (browser only; elsewhere nothing is kept):
 * - always, a few bytes: a load counter and the highest integer id handed out, so ids created after a reload never
 *   collide with ids created before it (an app may have stored them);
 * - with `persist`, the world itself (a dump), so what the app created is still there after a reload.
 */
import type { MockServer } from '../mock-server.js';
import type { WorldOptions } from '../world/world.js';

export type PersistIn = 'sessionStorage' | 'localStorage';

const IDS_KEY = 'authentik-mock:ids';
const WORLD_KEY = 'authentik-mock:world';
/** Changes are written at most this often (a dump of the whole world is a few hundred milliseconds of work). */
const SAVE_DELAY_MS = 300;

interface IdState {
  loads: number;
  integerFloor: number;
}

function storage(kind: PersistIn): Storage | undefined {
  try {
    return (globalThis as { [key: string]: unknown })[kind] as Storage | undefined;
  } catch {
    return undefined; // a sandboxed frame may refuse access
  }
}

function readJson(store: Storage | undefined, key: string): unknown {
  try {
    const text = store?.getItem(key);
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function write(store: Storage | undefined, key: string, text: string): void {
  try {
    store?.setItem(key, text);
  } catch (error) {
    console.warn(`authentik-mock: could not keep ${key} in storage (${(error as Error).name}): a reload will start over`);
  }
}

/** Options for this page load's world: salted created ids, and the kept world when `persist` is on and one is kept. */
export function pageWorldOptions(persist: PersistIn | undefined): Pick<WorldOptions, 'createdIds'> & { data?: unknown } {
  const local = storage('localStorage');
  const previous = readJson(local, IDS_KEY) as Partial<IdState> | undefined;
  const loads = (typeof previous?.loads === 'number' ? previous.loads : 0) + 1;
  const integerFloor = typeof previous?.integerFloor === 'number' ? previous.integerFloor : 0;
  write(local, IDS_KEY, JSON.stringify({ loads, integerFloor }));
  const createdIds = { uuidSalt: `load-${loads}`, ...(integerFloor > 0 ? { integerFloor } : {}) };
  const kept = persist ? readJson(storage(persist), WORLD_KEY) : undefined;
  return kept === undefined ? { createdIds } : { createdIds, data: kept };
}

/** Keeps the id high-water mark (and, with `persist`, the world) after each change, and when the page is hidden. */
export function keepPageState(mock: MockServer, persist: PersistIn | undefined): void {
  const local = storage('localStorage');
  const kept = persist ? storage(persist) : undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    timer = undefined;
    const ids = readJson(local, IDS_KEY) as Partial<IdState> | undefined;
    const floor = Math.max(mock.world.integerHighWater(), typeof ids?.integerFloor === 'number' ? ids.integerFloor : 0);
    write(local, IDS_KEY, JSON.stringify({ loads: ids?.loads ?? 1, integerFloor: floor }));
    if (kept) write(kept, WORLD_KEY, [...mock.world.dumpText()].join(''));
  };
  mock.onChange(() => {
    timer ??= setTimeout(save, SAVE_DELAY_MS);
  });
  const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void };
  target.addEventListener?.('pagehide', () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    save();
  });
}

/** A kept world that no longer fits (other schemas, another version of the mock) is dropped, not fatal. */
export function forgetKeptWorld(persist: PersistIn | undefined): void {
  if (persist) storage(persist)?.removeItem(WORLD_KEY);
}
