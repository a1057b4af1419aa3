/**
 * The core's boundary: a web Request in, a web Response out; failures are one HttpError. A record whose own fields
 * are `status` and `headers` is a record, never mistaken for an answer (it once was: its body came back empty).
 */
import { describe, expect, it } from 'vitest';
import { HttpError } from '../src/core/http.js';
import { MockServer } from '../src/mock-server.js';
import { libraryContract, resource } from './support/library.js';

const TOKEN = 'boundary-token';
const probe = {
  status: { type: 'integer' },
  headers: { type: 'object', additionalProperties: { type: 'string' } },
  body: { type: 'string' },
};
const contract = libraryContract(
  { ...resource('/probes/probes/', 'Probe') },
  {
    Probe: { type: 'object', properties: { pk: { type: 'integer', readOnly: true }, ...probe }, required: ['pk', 'status', 'headers'] },
    ProbeRequest: { type: 'object', properties: probe, required: ['status', 'headers'] },
  },
);

describe('the core boundary', () => {
  const mock = new MockServer({ contract, seed: 1, recordsPerEntity: 0, adminToken: TOKEN });
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  it('a record with status, headers and body fields is created, read and listed as a record', async () => {
    const sent = { status: 302, headers: { location: '/elsewhere' }, body: 'not an answer' };
    const created = await mock.fetch(
      new Request('http://authentik.test/api/v3/probes/probes/', { method: 'POST', headers, body: JSON.stringify(sent) }),
    );
    expect(created).toBeInstanceOf(Response);
    expect(created.status).toBe(201);
    const record = (await created.json()) as { pk: number };
    expect(record).toMatchObject(sent);
    const read = await mock.fetch(`/api/v3/probes/probes/${record.pk}/`, { headers });
    expect(read.status).toBe(200);
    expect(read.headers.get('location')).toBeNull();
    expect(await read.json()).toEqual({ pk: record.pk, ...sent });
    const list = (await (await mock.fetch('/api/v3/probes/probes/', { headers })).json()) as { results: unknown[] };
    expect(list.results).toEqual([{ pk: record.pk, ...sent }]);
  });

  it('every failure is an HttpError answered with its status and DRF body', async () => {
    const error = new HttpError(409, { detail: 'Conflict.' }, { 'retry-after': '1' });
    expect(error.toAnswer()).toEqual({
      status: 409,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: '{"detail":"Conflict."}',
    });
    const missing = await mock.fetch('/api/v3/probes/probes/999/', { headers });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'No Probe matches the given query.' });
  });
});
