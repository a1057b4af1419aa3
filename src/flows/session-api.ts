/**
 * The API side of sessions and passwords. DRF's SessionAuthentication (rest_framework/authentication.py): a request
 * with the cookie of a logged-in session, of an active user, is that user; its unsafe methods must pass Django's CSRF
 * check (403 `CSRF Failed: …`). `/core/authenticated_sessions/` is the world's AuthenticatedSession records, `current`
 * true for the request's own (AuthenticatedSessionSerializer `get_current`). `POST /core/users/{id}/set_password/`
 * (UserViewSet.set_password) sets a password.
 */
import { isPlainObject, propertiesOf, type OperationSpec } from '../contract/types.js';
import type { RequestAuthenticator } from '../core/callers.js';
import type { DerivedAction } from '../core/extensions.js';
import { forbidden, httpError, validationError, type Answer } from '../core/http.js';
import { jsonMedia } from '../contract/contract.js';
import { FIELD_MESSAGES } from '../contract/authentik-messages.js';
import { findRecord, list, retrieve } from '../core/operations.js';
import { canWrite } from '../core/permissions.js';
import type { Resource } from '../contract/resources.js';
import type { World } from '../world/world.js';
import { csrfFailure } from './csrf.js';
import { MODEL } from './models.js';
import type { FlowRuntime } from './runtime.js';

export function sessionAuthenticator(runtime: FlowRuntime): RequestAuthenticator {
  return (context) => {
    const session = runtime.sessions.find(context);
    const principal = session && runtime.sessions.principal(session);
    if (!principal) return undefined;
    const failure = csrfFailure(context);
    if (failure) throw httpError(403, `CSRF Failed: ${failure}`);
    return principal;
  };
}

/** Lists and reads of the session model, with `current` worked out for the request. */
export function sessionReads(runtime: FlowRuntime): DerivedAction {
  const isSessionRead = (operation: OperationSpec, world: World) => {
    const role = world.roles.get(operation.operationId);
    const entity = runtime.models.entity(MODEL.session);
    return !!entity && !!role && (role.kind === 'list' || role.kind === 'retrieve') && role.resource.entity === entity.name;
  };
  return {
    answers: isSessionRead,
    answer(call, resource) {
      const role = call.world.roles.get(call.operation.operationId)!;
      const answer = role.kind === 'list' ? list(call, resource!) : retrieve(call, resource!);
      const session = runtime.sessions.find(call.context);
      const own = session && runtime.sessions.record(session);
      const pkField = resource!.type.pkField;
      return markCurrent(answer, (item) => own !== undefined && item[pkField] === own[pkField]);
    },
  };
}

/** The answer with each session shown (the body, its `results`, or its items) given `current`. */
function markCurrent(answer: Answer, isCurrent: (item: Record<string, unknown>) => boolean): Answer {
  if (typeof answer.body !== 'string' || answer.status !== 200) return answer;
  const body = JSON.parse(answer.body) as unknown;
  const mark = (item: unknown) => {
    if (isPlainObject(item) && 'current' in item) item['current'] = isCurrent(item);
  };
  if (Array.isArray(body)) body.forEach(mark);
  else if (isPlainObject(body) && Array.isArray(body['results'])) body['results'].forEach(mark);
  else mark(body);
  return { ...answer, body: JSON.stringify(body) };
}

/** An action on one user whose request body is a `password` and nothing else: UserViewSet.set_password. */
function isSetPassword(operation: OperationSpec, world: World): boolean {
  const role = world.roles.get(operation.operationId);
  if (operation.method !== 'POST' || role?.kind !== 'action' || !role.onItem || role.resource?.entity !== world.userEntity?.name)
    return false;
  const schema = operation.requestBody?.content['application/json']?.schema;
  return Object.keys(propertiesOf(schema ? world.contract.resolve(schema) : undefined)).join() === 'password';
}

/**
 * `set_password`: the user's password (204); a body that is not one is the documented 400 (without a body in 2024.8). As Django's session hash check does, the user's other sessions end; the caller's own stays
 * (`update_session_auth_hash`).
 */
export function setPassword(runtime: FlowRuntime): DerivedAction {
  return {
    answers: isSetPassword,
    async answer(call, resource) {
      const { world } = call;
      const entity = resource!.type;
      const user = findRecord(call, resource!);
      if (!canWrite(world, call.principal, entity, user)) throw forbidden();
      const parsed = await call.body();
      const errors = world.contract.validateRequestBody(call.operation, parsed.mediaType ?? 'application/json', parsed.value);
      const password = isPlainObject(parsed.value) ? parsed.value['password'] : undefined;
      if (errors || typeof password !== 'string') {
        // authentik 2024.8 documents its 400 without a body (`Response(status=400)`); a version that documents one gets DRF's.
        if (jsonMedia(call.operation.responses['400']?.content)?.schema)
          throw validationError(errors ?? { password: [FIELD_MESSAGES.required] });
        return { status: 400, headers: {} };
      }
      const pk = user[entity.pkField] as string | number;
      world.identities.setPassword(pk, password);
      world.save(entity.name, { ...user }); // authentik saves the user (its password column): the world changed
      const session = runtime.sessions.find(call.context);
      runtime.sessions.endOthers(pk, session && String(call.principal.userPk) === String(pk) ? session : undefined);
      return { status: 204, headers: {} };
    },
  };
}

export type { Resource };
