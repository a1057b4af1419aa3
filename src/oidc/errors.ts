import type { Answer } from '../core/http.js';
import { tokenResponse } from './http.js';
import { errorPage, redirectTo } from '../flows/pages.js';
import { quote } from './python.js';

/** authentik's OAuth2 errors and their words (authentik/providers/oauth2/errors.py). */

export const AUTHORIZE_ERRORS = {
  invalid_request: 'The request is otherwise malformed',
  unauthorized_client: 'The client is not authorized to request an authorization code using this method',
  access_denied: 'The resource owner or authorization server denied the request',
  unsupported_response_type: 'The authorization server does not support obtaining an authorization code using this method',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed',
  server_error: 'The authorization server encountered an error',
  login_required: 'The Authorization Server requires End-User authentication',
  // sic: authentik's text has no space
  consent_required: 'The Authorization Server requires End-Userconsent',
  request_not_supported: 'The provider does not support use of the request parameter',
} as const;

export type AuthorizeErrorCode = keyof typeof AUTHORIZE_ERRORS;

/** `ClientIdError` and `RedirectUriError`: a 400 page, never a redirect (the client cannot be trusted with one). */
export const CLIENT_ID_ERROR = { title: 'Client ID Error', message: 'The client identifier (client_id) is missing or invalid.' };
export const REDIRECT_URI_ERROR = {
  title: 'Redirect URI Error',
  message: 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).',
};

export const badRequestPage = (error: { title: string; message: string }): Answer => errorPage(400, error.title, error.message);

/** An error of the authorization endpoint, sent back to the client's redirect URI (`AuthorizeError`). */
export class AuthorizeError extends Error {
  constructor(
    readonly redirectUri: string,
    readonly error: AuthorizeErrorCode,
    /** `implicit` puts the error in the fragment. */
    readonly grantType: string,
    readonly state: string | null,
    readonly description: string = AUTHORIZE_ERRORS[error],
  ) {
    super(description);
  }

  /**
   * `create_uri`: `{redirect_uri}{?|#}error=…&error_description=…&state=…`, `?` even when the URI has a query
   * already (as authentik writes it). The state goes as the client sent it when that is URL-safe; a state with
   * spaces or controls is percent-encoded (authentik would put it raw into the Location header).
   */
  uri(): string {
    const separator = this.grantType === 'implicit' ? '#' : '?';
    const state = this.state ? `&state=${/^[\x21-\x7e]*$/.test(this.state) ? this.state : quote(this.state)}` : '';
    return `${this.redirectUri}${separator}error=${this.error}&error_description=${quote(this.description)}${state}`;
  }

  /** `get_response`: the redirect, or the 400 page when there is no URI with a scheme to send it to. */
  answer(): Answer {
    const uri = this.uri();
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) ? redirectTo(uri) : errorPage(400, this.error, this.description);
  }
}

export const TOKEN_ERRORS = {
  invalid_request: 'The request is otherwise malformed',
  invalid_client:
    'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)',
  invalid_grant:
    'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client',
  unauthorized_client: 'The authenticated client is not authorized to use this authorization grant type',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server',
  invalid_scope: 'The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner',
} as const;

export type TokenErrorCode = keyof typeof TOKEN_ERRORS;

/** An error of the token endpoint (`TokenError`): answered 400 `{"error", "error_description"}`. */
export class TokenError extends Error {
  constructor(
    readonly error: TokenErrorCode,
    readonly description: string = TOKEN_ERRORS[error],
  ) {
    super(description);
  }

  body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }

  answer(status = 400): Answer {
    return tokenResponse(this.body(), status);
  }
}

/** `BearerTokenError` (userinfo): an empty answer with `WWW-Authenticate` naming the error. */
export const BEARER_ERRORS = {
  invalid_token: { status: 401, description: 'The access token provided is expired, revoked, malformed, or invalid for other reasons' },
  insufficient_scope: { status: 403, description: 'The request requires higher privileges than provided by the access token' },
} as const;
