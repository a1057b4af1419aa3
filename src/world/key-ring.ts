import type { Pk } from '../contract/entity-model.js';

/** Where a key belongs: a record of the token entity. */
export interface KeyOwner {
  entity: string;
  pk: string;
}

/**
 * Secret keys of token records, searchable both ways: authentication looks a key up on every request. Stored by
 * `Entity:pk`, which is also how a world dump writes them.
 */
export class KeyRing {
  private readonly byRecord = new Map<string, string>();
  private readonly byKey = new Map<string, string>();

  set(entity: string, pk: Pk, key: string): void {
    this.setById(`${entity}:${String(pk)}`, key);
  }

  delete(entity: string, pk: Pk): void {
    const id = `${entity}:${String(pk)}`;
    const key = this.byRecord.get(id);
    if (key === undefined) return;
    this.byRecord.delete(id);
    if (this.byKey.get(key) === id) this.byKey.delete(key);
  }

  keyOf(entity: string, pk: Pk): string | undefined {
    return this.byRecord.get(`${entity}:${String(pk)}`);
  }

  ownerOf(key: string): KeyOwner | undefined {
    const id = this.byKey.get(key);
    if (id === undefined) return undefined;
    const colon = id.indexOf(':');
    return { entity: id.slice(0, colon), pk: id.slice(colon + 1) };
  }

  /** `Entity:pk` → key, as a dump stores them. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.byRecord);
  }

  static fromJSON(entries: Record<string, unknown>): KeyRing {
    const ring = new KeyRing();
    for (const [id, key] of Object.entries(entries)) if (typeof key === 'string' && id.includes(':')) ring.setById(id, key);
    return ring;
  }

  private setById(id: string, key: string): void {
    const previous = this.byRecord.get(id);
    if (previous !== undefined && this.byKey.get(previous) === id) this.byKey.delete(previous);
    this.byRecord.set(id, key);
    this.byKey.set(key, id);
  }
}
