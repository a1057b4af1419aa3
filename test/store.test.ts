/**
 * A table's bookkeeping, made cheaper for large worlds (issue 20): where each pk sits for random picks is worked out
 * by the first delete only, and the records a world generates are linked in place. Picks and indexes must stay as
 * exact as before.
 */
import { describe, expect, it } from 'vitest';
import { Table } from '../src/world/store.js';
import { createFaker, FixtureGenerator } from '../src/fake/generate.js';
import type { EntityType, WorldRecord } from '../src/contract/entity-model.js';

function entity(name: string, extra: Partial<EntityType> = {}): EntityType {
  return { name, schema: {}, pkField: 'pk', pk: 'integer', references: new Map(), embeds: new Map(), subtypes: [], ...extra };
}

function table(of: EntityType): Table {
  const faker = createFaker(1);
  return new Table(of, faker, new FixtureGenerator(faker));
}

describe('random picks', () => {
  it('never give a deleted pk, however many deletes came before', () => {
    const users = table(entity('User'));
    for (let pk = 1; pk <= 40; pk++) users.put({ pk });
    const deleted = [1, 7, 20, 39, 40];
    for (const pk of deleted) users.delete(pk);
    users.put({ pk: 41 });
    users.delete(41);
    const faker = createFaker(2);
    const picked = new Set(Array.from({ length: 2000 }, () => users.randomPk(faker)));
    expect(picked.size).toBe(35);
    for (const pk of [...deleted, 41]) expect(picked.has(pk)).toBe(false);
  });

  it('leave out the record asked to be left out, before and after a delete', () => {
    const groups = table(entity('Group'));
    for (let pk = 1; pk <= 3; pk++) groups.put({ pk });
    const faker = createFaker(3);
    const before = new Set(Array.from({ length: 300 }, () => groups.randomPk(faker, 2)));
    expect([...before].sort()).toEqual([1, 3]);
    groups.delete(1);
    const after = new Set(Array.from({ length: 300 }, () => groups.randomPk(faker, 2)));
    expect([...after]).toEqual([3]);
    const many = Array.from({ length: 50 }, () => groups.randomPks(faker, 4, 3)).flat();
    expect(new Set(many)).toEqual(new Set([2]));
  });
});

describe('a generated record linked in place', () => {
  const provider = entity('Provider', { subtypes: ['OAuth2Provider'] });
  const oauth2 = entity('OAuth2Provider', { base: 'Provider' });

  function family(): { base: Table; sub: Table } {
    const base = table(provider);
    const sub = table(oauth2);
    sub.base = base;
    for (const t of [base, sub]) t.indexLink('flow');
    sub.index('name');
    return { base, sub };
  }

  it('is found by its new links, in its own table and its base’s, and no longer by the old ones', () => {
    const { base, sub } = family();
    sub.put({ pk: 1, name: 'first', flow: undefined });
    sub.put({ pk: 2, name: 'second', flow: 'login' });
    const first = sub.get(1);
    const versions = [base.version, sub.version];
    sub.changeUnread(1, (record: WorldRecord) => (record['flow'] = 'login'));
    sub.changeUnread(2, (record: WorldRecord) => {
      record['flow'] = 'enroll';
      record['name'] = 'renamed';
    });
    for (const t of [base, sub]) {
      expect(t.pointingAt('flow', 'login')).toEqual(['1']);
      expect(t.pointingAt('flow', 'enroll')).toEqual(['2']);
      expect(t.get(1)).toBe(first); // the same object, changed
    }
    expect(sub.find('name', 'second')).toBeUndefined();
    expect(sub.find('name', 'renamed')?.['flow']).toBe('enroll');
    expect(base.version).toBeGreaterThan(versions[0]!);
    expect(sub.version).toBeGreaterThan(versions[1]!);
  });

  it('a delete of a pk the table does not hold changes nothing', () => {
    const { sub } = family();
    sub.put({ pk: 1, name: 'only', flow: null });
    const version = sub.version;
    expect(sub.delete(99)).toBe(false);
    expect(sub.version).toBe(version);
    expect(sub.randomPk(createFaker(4))).toBe(1);
  });
});
