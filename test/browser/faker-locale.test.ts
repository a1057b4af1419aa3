// The hand-picked faker locale (src/fake/locale.ts) keeps pages small and must change no generated value: each of
// its lists is faker's own, and every call the mock makes gives what it gives with faker's whole en + base locales.
import { base, en, Faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { createFaker, FixtureGenerator, REFERENCE_DATE } from '../../src/fake/generate.js';
import { BASE, EN } from '../../src/fake/locale.js';
import { referenceDocument } from '../support/contracts.js';

function fullFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  faker.setDefaultRefDate(REFERENCE_DATE);
  return faker;
}

/** Every faker call of src/fake and src/world. */
const CALLS: Record<string, (f: Faker) => unknown> = {
  firstName: (f) => f.person.firstName(),
  lastName: (f) => f.person.lastName(),
  department: (f) => f.commerce.department(),
  buzzNoun: (f) => f.company.buzzNoun(),
  buzzAdjective: (f) => f.company.buzzAdjective(),
  companyName: (f) => f.company.name(),
  catchPhrase: (f) => f.company.catchPhrase(),
  hackerVerb: (f) => f.hacker.verb(),
  noun: (f) => f.word.noun(),
  adjective: (f) => f.word.adjective(),
  password: (f) => f.internet.password({ length: 16 }),
  ipv4: (f) => f.internet.ipv4(),
  userAgent: (f) => f.internet.userAgent(),
  domainName: (f) => f.internet.domainName(),
  domainWord: (f) => f.internet.domainWord(),
  url: (f) => f.internet.url({ appendSlash: true }),
  city: (f) => f.location.city(),
  countryCode: (f) => f.location.countryCode(),
  phone: (f) => f.phone.number(),
  fileName: (f) => f.system.fileName(),
  date: (f) => f.date.between({ from: '2023-01-01T00:00:00Z', to: '2025-12-31T00:00:00Z' }).toISOString(),
  uuid: (f) => f.string.uuid(),
  fromRegExp: (f) => f.helpers.fromRegExp(/^[-a-zA-Z0-9_]+$/),
  boolean: (f) => f.datatype.boolean(),
};

describe("the mock's faker locale", () => {
  it("holds faker's own lists, unchanged", () => {
    const full = { en, base } as unknown as Record<string, Record<string, Record<string, unknown>>>;
    const picked = { en: EN, base: BASE } as unknown as Record<string, Record<string, Record<string, unknown>>>;
    let lists = 0;
    for (const [name, locale] of Object.entries(picked)) {
      for (const [category, definitions] of Object.entries(locale)) {
        for (const [key, value] of Object.entries(definitions)) {
          expect(value, `${name}.${category}.${key}`).toEqual(full[name]![category]![key]);
          lists++;
        }
      }
    }
    expect(lists).toBeGreaterThan(20);
  });

  it('gives, seed for seed, the values the whole en + base locales give', () => {
    for (let seed = 0; seed < 300; seed++) {
      const [mine, theirs] = [createFaker(seed), fullFaker(seed)];
      for (const [name, call] of Object.entries(CALLS)) expect(call(mine), `${name}, seed ${seed}`).toEqual(call(theirs));
    }
  });

  it('generates the same records of every component of the whole reference', () => {
    const { components } = referenceDocument();
    for (const seed of [1, 7]) {
      const mine = new FixtureGenerator(createFaker(seed), components);
      const theirs = new FixtureGenerator(fullFaker(seed), components);
      for (const name of Object.keys(components)) {
        const schema = { $ref: `#/components/schemas/${name}` };
        expect(mine.value(schema), name).toEqual(theirs.value(schema));
        expect(mine.value(schema, 'request'), name).toEqual(theirs.value(schema, 'request'));
      }
    }
  });
});
