/** Secret keys of token records (`Entity:pk` → key), searchable both ways: authentication runs on every request. */
export class KeyRing {
  private readonly byRecord = new Map<string, string>();
  private readonly byKey = new Map<string, string>();

  set(recordId: string, key: string): void {
    this.delete(recordId);
    this.byRecord.set(recordId, key);
    this.byKey.set(key, recordId);
  }

  delete(recordId: string): void {
    const key = this.byRecord.get(recordId);
    if (key === undefined) return;
    this.byRecord.delete(recordId);
    if (this.byKey.get(key) === recordId) this.byKey.delete(key);
  }

  keyOf(recordId: string): string | undefined {
    return this.byRecord.get(recordId);
  }

  recordOf(key: string): string | undefined {
    return this.byKey.get(key);
  }

  entries(): Array<[string, string]> {
    return [...this.byRecord];
  }

  static from(entries: Iterable<[string, string]>): KeyRing {
    const ring = new KeyRing();
    for (const [recordId, key] of entries) ring.set(recordId, key);
    return ring;
  }
}
