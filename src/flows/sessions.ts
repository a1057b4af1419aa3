/**
 * Django sessions as authentik keeps them (authentik/root/settings.py, authentik/root/middleware.py): a cookie
 * `authentik_session` names the session; the session holds the executor's plan and the stages' state
 * (authentik/flows/views/executor.py `SESSION_KEY_*`). A login makes it an authenticated session: one
 * AuthenticatedSession record (authentik/core/models.py; `/core/authenticated_sessions/` lists them), whose key is a
 * secret kept beside the record as token keys are — so logins are in world dumps and survive `--data` restarts,
 * and deleting the record ends the session. Anonymous sessions and the flow state live in memory only.
 */
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { RequestContext } from '../core/request-context.js';
import type { Principal } from '../world/identities.js';
import { randomKey } from '../world/secrets.js';
import { CSRF_COOKIE, CSRF_COOKIE_AGE_S, isSecure, newCsrfSecret } from './csrf.js';
import { MODEL, type FlowModels } from './models.js';

export const SESSION_COOKIE = 'authentik_session';
/** Sessions held in memory at most; the least recently used go first (a logged-in one can be found again by its key). */
const MAX_SESSIONS = 10_000;
/** `sessions.unauthenticated_age` (days=1): an anonymous session unused this long is gone. */
const UNAUTHENTICATED_AGE_MS = 86_400_000;

/** One session: its key (the cookie's value) and what it holds under authentik's session keys. */
export class Session {
  readonly data = new Map<string, unknown>();
  /** The logged-in user where the contract has no AuthenticatedSession records to keep it in. */
  userPk: Pk | undefined;
  usedAt = Date.now();

  constructor(public key: string) {}

  get<T>(name: string): T | undefined {
    return this.data.get(name) as T | undefined;
  }

  set(name: string, value: unknown): void {
    this.data.set(name, value);
  }

  delete(name: string): void {
    this.data.delete(name);
  }
}

/** Where the login came from: what the AuthenticatedSession record shows. */
export interface LoginDetails {
  userPk: Pk;
  /** How long the session lasts (UserLoginStage `session_duration`, plus `remember_me_offset` when remembered); 0: until the browser closes. */
  durationMs: number;
  context: RequestContext;
}

export class Sessions {
  private readonly live = new Map<string, Session>();

  constructor(private readonly models: FlowModels) {}

  /** Whether logins are AuthenticatedSession records (the contract has the model). */
  get persisted(): boolean {
    return this.models.entity(MODEL.session) !== undefined;
  }

  /** The session the request's cookie names, or undefined (no cookie, or a key this mock does not know). */
  find(context: RequestContext): Session | undefined {
    const key = context.cookie(SESSION_COOKIE);
    if (!key) return undefined;
    let session = this.live.get(key);
    if (session && !this.record(session) && session.usedAt < Date.now() - UNAUTHENTICATED_AGE_MS) {
      this.live.delete(key);
      session = undefined;
    }
    // A login kept in the world (a restart, a loaded dump) is found by its key.
    if (!session && this.recordOf(key)) session = new Session(key);
    if (session) this.keep(session);
    return session;
  }

  /** The request's session, or a new one (the answer then sets its cookie). */
  open(context: RequestContext): Session {
    return this.find(context) ?? this.keep(new Session(randomKey(40)));
  }

  /** The logged-in user of a session (active or not), or undefined for an anonymous one. */
  user(session: Session): WorldRecord | undefined {
    if (!this.persisted) return this.models.user(session.userPk);
    const record = this.record(session);
    return record ? this.models.user(record['user']) : undefined;
  }

  /** Who a logged-in session authenticates as on the API (DRF's SessionAuthentication: active users only). */
  principal(session: Session): Principal | undefined {
    const user = this.user(session);
    if (!user || user['is_active'] === false) return undefined;
    const users = this.models.world.userEntity!;
    const expires = this.record(session)?.['expires'];
    return {
      userPk: user[users.pkField] as Pk,
      superuser: this.models.world.isSuperuser(user),
      validUntil: typeof expires === 'string' ? Date.parse(expires) : Infinity,
    };
  }

  /** The session's AuthenticatedSession record, while it exists and has not expired. */
  record(session: Session): WorldRecord | undefined {
    return this.recordOf(session.key);
  }

  /**
   * `django.contrib.auth.login`: a new session key (the old cookie no longer works), the CSRF secret rotated, an
   * AuthenticatedSession record for the new key, the user's `last_login` set. Returns the CSRF cookie (the session's
   * own cookie is `cookieFor`'s: its key changed).
   */
  login(session: Session, details: LoginDetails): string {
    this.endRecord(session);
    this.cycle(session);
    const expires = details.durationMs > 0 ? new Date(Date.now() + details.durationMs) : undefined;
    const entity = this.models.entity(MODEL.session);
    if (entity) {
      const record = this.models.world.create(entity.name, sessionRecord(details, expires));
      this.models.world.identities.setSecret(entity.name, this.models.pk(MODEL.session, record), session.key);
    } else session.userPk = details.userPk;
    this.touchLastLogin(details.userPk);
    return csrfCookie(newCsrfSecret(), isSecure(details.context));
  }

  /** `django.contrib.auth.logout`: the AuthenticatedSession record deleted, the session flushed under a new key. */
  logout(session: Session): void {
    this.endRecord(session);
    this.endHeldLogin(session);
    session.data.clear();
    this.cycle(session);
  }

  /** Ends the user's other logged-in sessions (UserLoginStage `terminate_other_sessions`; a password set for someone). */
  endOthers(userPk: Pk, keep?: Session): void {
    const entity = this.models.entity(MODEL.session);
    if (!entity) {
      for (const session of this.live.values())
        if (session !== keep && String(session.userPk) === String(userPk)) this.endHeldLogin(session);
      return;
    }
    const kept = keep && this.record(keep);
    for (const record of this.models.records(MODEL.session))
      if (String(record['user']) === String(userPk) && record !== kept)
        this.models.world.remove(entity.name, this.models.pk(MODEL.session, record));
  }

  /** The Set-Cookie value for a session whose key the request did not carry (new, or cycled by a login or logout). */
  cookieFor(session: Session, context: RequestContext): string | undefined {
    if (context.cookie(SESSION_COOKIE) === session.key) return undefined;
    const expires = this.record(session)?.['expires'];
    return sessionCookie(session.key, isSecure(context), typeof expires === 'string' ? new Date(expires) : undefined);
  }

  private recordOf(key: string): WorldRecord | undefined {
    const entity = this.models.entity(MODEL.session);
    const owner = entity && this.models.world.identities.secretOwner(key);
    if (!entity || owner?.entity !== entity.name) return undefined;
    const record = this.models.world.table(entity.name).get(owner.pk);
    const expires = record?.['expires'];
    return record && !(typeof expires === 'string' && Date.parse(expires) <= Date.now()) ? record : undefined;
  }

  private endRecord(session: Session): void {
    const record = this.record(session);
    const entity = this.models.entity(MODEL.session);
    if (record && entity) this.models.world.remove(entity.name, this.models.pk(MODEL.session, record));
  }

  private touchLastLogin(userPk: Pk): void {
    const users = this.models.world.userEntity;
    const user = this.models.user(userPk);
    if (users && user && 'last_login' in user) this.models.world.save(users.name, { ...user, last_login: new Date().toISOString() });
  }

  /** `cycle_key`: the same session under a new key. */
  private cycle(session: Session): void {
    this.live.delete(session.key);
    session.key = randomKey(40);
    this.keep(session);
  }

  /** Most recently used last; past the bound, the least recently used is let go. */
  private keep(session: Session): Session {
    this.live.delete(session.key);
    session.usedAt = Date.now();
    this.live.set(session.key, session);
    if (this.live.size > MAX_SESSIONS) {
      const oldest = this.live.values().next().value!;
      this.live.delete(oldest.key);
      this.endHeldLogin(oldest);
    }
    return session;
  }

  /** A login the mock holds by itself (no session model) ends: answers cached for its cookie are stale from now on. */
  private endHeldLogin(session: Session): void {
    if (session.userPk === undefined) return;
    session.userPk = undefined;
    this.models.world.noteOutsideChange();
  }
}

/** The AuthenticatedSession record of a login (authentik/core/signals.py `user_logged_in`: ip, user agent, expiry). */
function sessionRecord(details: LoginDetails, expires: Date | undefined): WorldRecord {
  const userAgent = details.context.headers.get('user-agent') ?? '';
  const client = details.context.request.client;
  return {
    user: details.userPk,
    current: false,
    last_ip: client && !client.includes('/') ? client : '127.0.0.1',
    last_user_agent: userAgent,
    user_agent: parseUserAgent(userAgent),
    geo_ip: null,
    asn: null,
    last_used: new Date().toISOString(),
    expires: expires ? expires.toISOString() : null,
  };
}

/**
 * The shape ua-parser gives (authentik's AuthenticatedSessionSerializer `get_user_agent`), for the families a browser
 * or a test client most often is; anything else is ua-parser's "Other".
 */
export function parseUserAgent(text: string): Record<string, unknown> {
  const browser = [/(Edg)e?\/(\d+)\.(\d+)\.?(\d*)/, /(Firefox)\/(\d+)\.(\d+)\.?(\d*)/, /(Chrome)\/(\d+)\.(\d+)\.?(\d*)/]
    .map((re) => re.exec(text))
    .find(Boolean);
  const family = browser ? (({ Edg: 'Edge' } as Record<string, string>)[browser[1]!] ?? browser[1]!) : 'Other';
  const os = /Windows/.test(text)
    ? 'Windows'
    : /Mac OS X/.test(text)
      ? 'Mac OS X'
      : /Android/.test(text)
        ? 'Android'
        : /Linux/.test(text)
          ? 'Linux'
          : 'Other';
  return {
    device: { brand: '', family: 'Other', model: '' },
    os: { family: os, major: '', minor: '', patch: '', patch_minor: '' },
    user_agent: { family, major: browser?.[2] ?? '', minor: browser?.[3] ?? '', patch: browser?.[4] ?? '' },
    string: text,
  };
}

interface CookieOptions {
  /** Seconds the cookie lasts; absent: until the browser closes. */
  maxAgeS?: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'Lax' | 'None';
}

/** Python's Morsel writes a cookie's attributes sorted by name: expires, HttpOnly, Max-Age, Path, SameSite, Secure. */
function cookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`];
  const age = options.maxAgeS;
  if (age !== undefined) parts.push(`expires=${new Date(Date.now() + age * 1000).toUTCString()}`);
  if (options.httpOnly) parts.push('HttpOnly');
  if (age !== undefined) parts.push(`Max-Age=${age}`);
  parts.push('Path=/', `SameSite=${options.sameSite}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session cookie: HttpOnly; over https `SameSite=None; Secure` (authentik/root/settings.py), else `SameSite=Lax`. */
function sessionCookie(key: string, secure: boolean, expires: Date | undefined): string {
  const maxAgeS = expires ? Math.max(0, Math.round((expires.getTime() - Date.now()) / 1000)) : undefined;
  return cookie(SESSION_COOKIE, key, {
    httpOnly: true,
    secure,
    sameSite: secure ? 'None' : 'Lax',
    ...(maxAgeS === undefined ? {} : { maxAgeS }),
  });
}

/** The CSRF cookie (CsrfViewMiddleware._set_csrf_cookie): readable by the page's script, a year, Lax. */
function csrfCookie(secret: string, secure: boolean): string {
  return cookie(CSRF_COOKIE, secret, { httpOnly: false, secure, sameSite: 'Lax', maxAgeS: CSRF_COOKIE_AGE_S });
}
