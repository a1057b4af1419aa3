import { describe, expect, it } from 'vitest';
import { RecordTexts } from '../src/world/record-texts.js';

describe('kept record texts within their bytes', () => {
  it('lets the oldest records’ texts go first, however many come and go, and keeps the newest', () => {
    const rendered: number[] = [];
    const record = (n: number) => ({ pk: n, name: 'x'.repeat(90) });
    // Room for about ten texts of ~110 characters.
    const texts = new RecordTexts((_entity, r) => (rendered.push(r['pk'] as number), r), 1_100);
    const records = Array.from({ length: 3000 }, (_, n) => record(n));
    for (const r of records) texts.text('Thing', r);
    expect(rendered).toHaveLength(3000);
    // The last ten are kept (no new rendering); one from long before is rendered again.
    rendered.length = 0;
    for (const r of records.slice(-9)) texts.text('Thing', r);
    expect(rendered).toEqual([]);
    texts.text('Thing', records[100]!);
    expect(rendered).toEqual([100]);
    expect(texts.text('Thing', records[100]!)).toBe(JSON.stringify(records[100]));
  });
});
