/**
 * A large world generated before the server listens, with progress: tables are generated on first use, so without
 * this the first dump of a `--records 5000` world (hundreds of thousands of records) would block for many seconds
 * with nothing said. Small worlds stay lazy (a table is generated when first asked for), which keeps the start fast.
 */
import { DEFAULT_RECORDS, type World } from '../world/world.js';

/** From this many expected records on, the world is generated before the server listens. */
export const GENERATE_FIRST_RECORDS = 100_000;

export interface GenerationProgress {
  /** Tables generated so far, of `of`. */
  tables: number;
  of: number;
  /** Records the world holds now (a table links to others, which fill with it). */
  records: number;
}

/** The tables of the world's resources, each once. */
const tableNames = (world: World) => [...new Set(world.resources.map((resource) => resource.entity))];

/** Records a fresh world of `recordsPerTable` holds at least, once every table of a resource is generated. */
export function expectedRecords(world: World, recordsPerTable = DEFAULT_RECORDS): number {
  return tableNames(world).length * recordsPerTable;
}

/**
 * Generates every table now, reporting progress at the first table, at most every `everyMs` after, and at the end.
 * Synchronous (the event loop is not turned meanwhile): the report is the only sign of life.
 */
export function generateEveryTable(world: World, report: (progress: GenerationProgress) => void, everyMs = 1000): void {
  const names = tableNames(world);
  let reportedAt = -Infinity;
  for (const [done, name] of names.entries()) {
    const now = performance.now();
    if (now - reportedAt >= everyMs) {
      report({ tables: done, of: names.length, records: world.usage().records });
      reportedAt = now;
    }
    world.table(name);
  }
  report({ tables: names.length, of: names.length, records: world.usage().records });
}
