import { describe, expect, it } from 'vitest';
import { useContract, useMock } from '../src/adapters/vitest.js';

useContract();
const server = useMock({ seed: 3 });

describe('authentik-mock/vitest', () => {
  it('starts the mock for the file and matches real responses against the contract', async () => {
    const response = await fetch(`${server.apiUrl}oauth2/access_tokens/?page_size=3`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect({ status: response.status, body: await response.json() }).toMatchContract('oauth2_access_tokens_list');
    const anonymous = await fetch(`${server.apiUrl}oauth2/access_tokens/`);
    expect({ status: anonymous.status, data: await anonymous.json() }).toMatchContract('oauth2_access_tokens_list');
  });

  it('fails with a readable list of violations', () => {
    const broken = { status: 200, body: { pagination: { count: 'many' }, results: [{}] } };
    expect(broken).not.toMatchContract('oauth2_access_tokens_list');
    expect(() => expect(broken).toMatchContract('oauth2_access_tokens_list')).toThrow(
      /oauth2_access_tokens_list → 200 does not match the contract:\n {2}- \/pagination: required field "next" is missing/,
    );
    expect(() => expect({ status: 418, body: {} }).toMatchContract('oauth2_access_tokens_list')).toThrow(/status 418 is not documented/);
    expect(() => expect({ status: 200, body: {} }).toMatchContract('no_such_operation')).toThrow(
      /the contract has no operation "no_such_operation"/,
    );
  });
});
