/**
 * admin/system/ (authentik/admin/api/system.py, `SystemInfoSerializer`): what the server knows of the request and
 * of itself, answered now. Derived by the answer's fields (`server_time`, `http_host`, `runtime`). The runtime is
 * the mock's own (no Python or OpenSSL runs here), with the release it serves; the headers are the request's, less
 * its credentials (authentik shows them all to the superuser asking; a mock on a shared demo does not echo keys).
 * Never cached: `server_time` is the time of each request.
 */
import type { OperationSpec } from '../../contract/types.js';
import type { World } from '../../world/world.js';
import { json } from '../http.js';
import type { Feature } from '../extensions.js';
import type { RequestContext } from '../request-context.js';
import { brandForHost, brandName } from './brand.js';
import { contractRelease, shownAs, successShape } from './shared.js';

const SYSTEM_FIELDS = ['server_time', 'http_host', 'runtime'];
/** Headers shown as Django's `request.META` names them (`HTTP_USER_AGENT`); a Request's headers cannot be listed. */
const SHOWN_HEADERS = [
  'host',
  'user-agent',
  'accept',
  'accept-language',
  'accept-encoding',
  'origin',
  'referer',
  'x-forwarded-for',
  'x-forwarded-proto',
];
const MOCK = 'authentik-mock';

function isSystemInfo(world: World, operation: OperationSpec): boolean {
  const shape = successShape(world, operation);
  return !!shape && SYSTEM_FIELDS.every((f) => f in shape.fields);
}

function metaHeaders(context: RequestContext): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) {
    const value = context.headers.get(name);
    if (value !== null) headers[`HTTP_${name.toUpperCase().replaceAll('-', '_')}`] = value;
  }
  return headers;
}

function systemInfo(world: World, context: RequestContext, release: string): Record<string, unknown> {
  return {
    http_headers: metaHeaders(context),
    http_host: context.url.host,
    http_is_secure: context.url.protocol === 'https:',
    runtime: {
      python_version: `none (${MOCK})`,
      environment: MOCK,
      architecture: MOCK,
      platform: MOCK,
      uname: MOCK,
      openssl_version: `none (${MOCK})`,
      // null unless a valid license: an unlicensed install's answer.
      openssl_fips_enabled: null,
      authentik_version: release,
    },
    brand: brandName(brandForHost(world, context.url.host)),
    server_time: new Date().toISOString(),
    embedded_outpost_disabled: false,
    // The embedded outpost's `config.authentik_host`: unset on a fresh install.
    embedded_outpost_host: '',
  };
}

export const systemInfoAnswer: Feature = (host) => {
  host.actions.add({
    answers: (operation, world) => isSystemInfo(world, operation),
    answer: (call) => {
      const shape = successShape(call.world, call.operation)!;
      const info = systemInfo(call.world, call.context, contractRelease(call.world));
      return json(shape.status, shownAs(call.world, call.operation, shape, info), { 'cache-control': 'no-store' });
    },
  });
};
