import type { Failure } from '../platform/failure.js';
import { errorCatalog } from '../platform/http/errors.js';

/** What identity operations can refuse, as values. */
export enum IdentityError {
  EmailTaken = 'email_taken',
  HandleTaken = 'handle_taken',
  PasswordWeak = 'password_weak',
  InvalidLogin = 'invalid_login',
  TotpRequired = 'totp_required',
  TotpInvalid = 'totp_invalid',
  TotpAlreadyEnabled = 'totp_already_enabled',
  TotpNotEnrolled = 'totp_not_enrolled',
  TotpNotEnabled = 'totp_not_enabled',
  CurrentPasswordIncorrect = 'current_password_incorrect',
  UserNotFound = 'user_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  ScopeUnknown = 'scope_unknown',
  ScopeNotGrantable = 'scope_not_grantable',
  ExpiryInPast = 'expires_at_in_past',
  LastAdmin = 'last_admin',
  RoleNotAllowed = 'role_not_allowed',
  SessionRequired = 'session_required',
  SessionNotFound = 'session_not_found',
}

/** A refused identity operation (`unwrap(result, identityApiError)` at the edge). */
export type IdentityFailure = Failure<IdentityError>;

/** The one map from identity errors to HTTP. */
export const identityApiError = errorCatalog<IdentityError>({
  [IdentityError.EmailTaken]: {
    status: 409,
    type: 'conflict_error',
    message: 'A user with this email already exists',
    param: 'email',
  },
  [IdentityError.HandleTaken]: {
    status: 409,
    type: 'conflict_error',
    message: 'This handle is taken',
    param: 'handle',
  },
  [IdentityError.PasswordWeak]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The password must be 12 to 256 characters and must not be your email address',
    param: 'password',
  },
  [IdentityError.InvalidLogin]: {
    status: 401,
    type: 'authentication_error',
    message: 'The email or password is not correct',
  },
  [IdentityError.TotpRequired]: {
    status: 401,
    type: 'authentication_error',
    message: 'This account uses two-factor authentication: send totp_code (or a recovery_code)',
    param: 'totp_code',
  },
  [IdentityError.TotpInvalid]: {
    status: 401,
    type: 'authentication_error',
    message: 'The two-factor code is not valid or was already used',
    param: 'totp_code',
  },
  [IdentityError.TotpAlreadyEnabled]: {
    status: 409,
    type: 'conflict_error',
    message: 'Two-factor authentication is already on; disable it first to enrol again',
  },
  [IdentityError.TotpNotEnrolled]: {
    status: 409,
    type: 'conflict_error',
    message: 'Start enrolment first (POST /v1/me/totp)',
  },
  [IdentityError.TotpNotEnabled]: {
    status: 409,
    type: 'conflict_error',
    message: 'Two-factor authentication is not on',
  },
  [IdentityError.CurrentPasswordIncorrect]: {
    status: 403,
    type: 'permission_error',
    message: 'The current password is not correct',
    param: 'current_password',
  },
  [IdentityError.UserNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such user',
  },
  [IdentityError.ApiKeyNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such API key',
  },
  [IdentityError.ScopeUnknown]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Unknown scope',
    param: 'scopes',
  },
  [IdentityError.ScopeNotGrantable]: {
    status: 403,
    type: 'permission_error',
    message: 'An API key can only create keys with scopes it holds itself',
    param: 'scopes',
  },
  [IdentityError.ExpiryInPast]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'expires_at must be in the future',
    param: 'expires_at',
  },
  [IdentityError.LastAdmin]: {
    status: 409,
    type: 'conflict_error',
    message: 'This is the last admin; promote another user first',
  },
  [IdentityError.RoleNotAllowed]: {
    status: 403,
    type: 'permission_error',
    message: 'Your role may not do this',
  },
  [IdentityError.SessionRequired]: {
    status: 403,
    type: 'permission_error',
    message: 'This needs a login session; API keys cannot manage passwords, sessions or 2FA',
  },
  [IdentityError.SessionNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such session',
  },
});
