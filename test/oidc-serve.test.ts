// Issue 18 item 7: `serve --auto-login <username>` — the authorization endpoint answers as that user at once, for CI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCli, type Served } from './support/serve-cli.js';

let served: Served;
let admin: Record<string, string>;

beforeAll(async () => {
  served = await serveCli(['--auto-login', 'user', '--records', '2', '--quiet']);
  admin = { authorization: `Bearer ${/admin token \(akadmin\):\s+(\S+)/.exec(served.banner)![1]}`, 'content-type': 'application/json' };
});
afterAll(() => served.stop());

async function api(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${served.api.replace(/\/$/, '')}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: admin,
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('serve --auto-login', () => {
  it('logs the named user in to any OAuth2 application without a login page', async () => {
    const flows = (await api('/flows/instances/?slug=default-provider-authorization-implicit-consent')) as {
      results: Array<{ pk: string }>;
    };
    const mappings = (await api('/propertymappings/provider/scope/?scope_name=profile')) as { results: Array<{ pk: string }> };
    const provider = await api('/providers/oauth2/', {
      name: 'ci provider',
      authorization_flow: flows.results[0]!.pk,
      property_mappings: mappings.results.map((m) => m.pk),
      redirect_uris: 'http://127.0.0.1:5173/callback',
    });
    await api('/core/applications/', { name: 'CI', slug: 'ci', provider: provider['pk'] });
    const query = new URLSearchParams({
      client_id: String(provider['client_id']),
      redirect_uri: 'http://127.0.0.1:5173/callback',
      response_type: 'code',
      scope: 'openid profile',
      state: 'ci',
    });
    const authorized = await fetch(`${served.origin}/application/o/authorize/?${query}`, { redirect: 'manual' });
    expect(authorized.status).toBe(302);
    const callback = new URL(authorized.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe('ci');
    const token = await fetch(`${served.origin}/application/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: 'http://127.0.0.1:5173/callback',
        client_id: String(provider['client_id']),
        client_secret: String(provider['client_secret']),
      }),
    });
    const { id_token } = (await token.json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(id_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims['preferred_username']).toBe('user');
  });

  it('refuses to start for a user the world does not have', async () => {
    await expect(serveCli(['--auto-login', 'nobody-at-all', '--records', '2'])).rejects.toThrow(/no user named "nobody-at-all"/);
  });
});
