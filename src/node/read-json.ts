import { readFileSync } from 'node:fs';

/** A JSON file's value; any failure (missing, unreadable, not JSON) is an Error that starts with the file name. */
export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}
