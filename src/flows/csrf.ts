/**
 * Django 5.0's CSRF check as DRF's SessionAuthentication runs it (rest_framework/authentication.py `enforce_csrf` →
 * django/middleware/csrf.py `CsrfViewMiddleware.process_view`, `_check_referer`, `_check_token`), with authentik's
 * settings (authentik/root/settings.py: cookie `authentik_csrf`, header `X-authentik-CSRF`, no trusted origins). Only
 * unsafe methods of a logged-in session are checked; the reasons are Django's words, in Django's order.
 */
import { sameText } from '../world/identities.js';
import { randomKey } from '../world/secrets.js';
import type { RequestContext } from '../core/request-context.js';

export const CSRF_COOKIE = 'authentik_csrf';
export const CSRF_HEADER = 'x-authentik-csrf';
/** How Django names the header in its reasons: `HttpHeaders.parse_header_name("HTTP_X_AUTHENTIK_CSRF")`, repr'd. */
const HEADER_IN_REASONS = "'X-Authentik-Csrf'";
/** `CSRF_ALLOWED_CHARS` (string.ascii_letters + string.digits), in Python's order: the unmasking depends on it. */
const ALLOWED = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_LENGTH = 32;
const TOKEN_LENGTH = 64;
/** `CSRF_COOKIE_AGE`: a year of 52 weeks. */
export const CSRF_COOKIE_AGE_S = 31_449_600;

/** A new CSRF secret (Django ≥ 4.1 stores the unmasked secret in the cookie: 32 letters and digits). */
export const newCsrfSecret = () => randomKey(SECRET_LENGTH);

/** `request.is_secure()`: https, or `X-Forwarded-Proto: https` (authentik sets SECURE_PROXY_SSL_HEADER to it). */
export function isSecure(context: RequestContext): boolean {
  return context.url.protocol === 'https:' || (context.headers.get('x-forwarded-proto') ?? '').split(',')[0]!.trim() === 'https';
}

/** Why Django refuses this request's CSRF token, or undefined when it passes (safe methods always pass). */
export function csrfFailure(context: RequestContext): string | undefined {
  if (!context.unsafe) return undefined;
  const secure = isSecure(context);
  const origin = context.headers.get('origin');
  if (origin !== null) {
    if (origin !== `${secure ? 'https' : 'http'}://${context.url.host}`)
      return `Origin checking failed - ${origin} does not match any trusted origins.`;
  } else if (secure) {
    const problem = refererProblem(context.headers.get('referer'), context.url.host);
    if (problem) return problem;
  }
  const cookie = context.cookie(CSRF_COOKIE);
  if (cookie === undefined) return 'CSRF cookie not set.';
  const cookieFormat = formatProblem(cookie);
  if (cookieFormat) return `CSRF cookie ${cookieFormat}.`;
  const header = context.headers.get(CSRF_HEADER);
  if (header === null) return 'CSRF token missing.';
  const headerFormat = formatProblem(header);
  if (headerFormat) return `CSRF token from the ${HEADER_IN_REASONS} HTTP header ${headerFormat}.`;
  if (!sameText(unmask(header), unmask(cookie))) return `CSRF token from the ${HEADER_IN_REASONS} HTTP header incorrect.`;
  return undefined;
}

/** `_check_referer` for a secure request without an Origin header. */
function refererProblem(referer: string | null, host: string): string | undefined {
  if (referer === null) return 'Referer checking failed - no Referer.';
  const parsed = URL.canParse(referer) ? new URL(referer) : undefined;
  if (!parsed || parsed.host === '') return 'Referer checking failed - Referer is malformed.';
  if (parsed.protocol !== 'https:') return 'Referer checking failed - Referer is insecure while host is secure.';
  if (parsed.host !== host) return `Referer checking failed - ${referer} does not match any trusted origins.`;
  return undefined;
}

/** `_check_token_format`: 32 (a secret) or 64 (a masked token) characters, letters and digits only. */
function formatProblem(token: string): string | undefined {
  if (token.length !== SECRET_LENGTH && token.length !== TOKEN_LENGTH) return 'has incorrect length';
  if (/[^a-zA-Z0-9]/.test(token)) return 'has invalid characters';
  return undefined;
}

/** `_unmask_cipher_token`: a 64-character token is a mask and the secret shifted by it; a 32-character one is the secret. */
function unmask(token: string): string {
  if (token.length !== TOKEN_LENGTH) return token;
  const mask = token.slice(0, SECRET_LENGTH);
  const cipher = token.slice(SECRET_LENGTH);
  let secret = '';
  for (let i = 0; i < SECRET_LENGTH; i++) {
    const shifted = ALLOWED.indexOf(cipher[i]!) - ALLOWED.indexOf(mask[i]!);
    secret += ALLOWED[(shifted + ALLOWED.length) % ALLOWED.length];
  }
  return secret;
}
