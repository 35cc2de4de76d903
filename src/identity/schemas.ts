import { z } from '@hono/zod-openapi';
import { USER_ROLES } from '../platform/http/access.js';
import { PaginationQuery } from '../platform/http/pagination.js';
import { PASSWORD_MAX_CHARS } from './service.js';

/** Wire shapes of the identity API (snake_case, ISO timestamps, prefixed ids). */

/** PostgreSQL text cannot hold NUL; refuse it at the edge rather than fail in the database. */
const text = () =>
  z.string().refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** A prefixed id as a path parameter or cursor: letters, digits and underscores. */
const IdLike = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_]+$/, 'must be an id such as usr_01J…');

const timestamp = (description: string) =>
  z.string().openapi({ description, example: '2025-01-31T12:00:00.000Z', format: 'date-time' });

export const Email = z
  .email()
  .max(254)
  .openapi({ description: 'Email address (case does not matter)', example: 'ada@example.com' });

/** Longer than the policy allows, so the policy gives the error; short enough to bound hashing. */
const Password = (description: string) =>
  z
    .string()
    .max(PASSWORD_MAX_CHARS * 4)
    .openapi({ description, example: 'correct horse battery staple' });

const TotpCode = z
  .string()
  .regex(/^\d{6}$/, 'must be 6 digits')
  .openapi({ description: 'Current 6-digit code from the authenticator app', example: '123456' });

const RecoveryCode = z
  .string()
  .min(16)
  .max(40)
  .openapi({ description: 'A single-use recovery code', example: 'abcd-efgh-jkmn-pqrs' });

export const Role = z.enum(USER_ROLES).openapi({ description: 'Role', example: 'user' });

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: 'usr_01JD7Q4Z8R3M5N6P7Q8R9S0T1V' }),
    object: z.literal('user'),
    email: z.string(),
    handle: z.string().nullable(),
    role: Role,
    totp_enabled: z.boolean().openapi({ description: 'Two-factor authentication is on' }),
    created_at: timestamp('When the user signed up'),
  })
  .openapi('User');

const Handle = z
  .string()
  .regex(/^[A-Za-z0-9_]{3,30}$/, 'must be 3 to 30 letters, digits or underscores')
  .openapi({
    description: 'Public handle for payments, unique, stored lower-case',
    example: 'ada',
  });

export const SignUpBody = z
  .strictObject({
    email: Email,
    password: Password('At least 12 characters; not your email address'),
    handle: Handle.optional(),
  })
  .openapi('SignUpRequest');

export const UpdateMeBody = z.strictObject({ handle: Handle }).openapi('UpdateMeRequest');

export const LogInBody = z
  .strictObject({
    email: Email,
    password: Password('Your password'),
    totp_code: TotpCode.optional(),
    recovery_code: RecoveryCode.optional(),
  })
  .openapi('LogInRequest');

export const SessionSchema = z
  .object({
    id: z.string().openapi({ example: 'ses_01JD7Q4Z8R3M5N6P7Q8R9S0T1V' }),
    object: z.literal('session'),
    created_at: timestamp('When the session was opened'),
    expires_at: timestamp('When the token stops working'),
    last_used_at: timestamp('Last use, to the minute').nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    current: z.boolean().openapi({ description: 'The session making this request' }),
  })
  .openapi('Session');

export const CreatedSessionSchema = z
  .object({
    id: z.string(),
    object: z.literal('session'),
    token: z.string().openapi({
      description:
        'Bearer token (`vws_…`). Shown only in this response; send it as `Authorization: Bearer <token>`',
    }),
    expires_at: timestamp('When the token stops working'),
    user: UserSchema,
  })
  .openapi('CreatedSession');

export const ChangePasswordBody = z
  .strictObject({
    current_password: Password('Your current password'),
    new_password: Password('At least 12 characters; not your email address'),
  })
  .openapi('ChangePasswordRequest');

export const ChangedPasswordSchema = z
  .object({
    object: z.literal('password_change'),
    user: UserSchema,
    revoked_sessions: z.number().int().openapi({ description: 'Other sessions signed out' }),
  })
  .openapi('PasswordChange');

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_01JD7Q4Z8R3M5N6P7Q8R9S0T1V' }),
    object: z.literal('api_key'),
    user_id: z.string(),
    name: z.string(),
    redacted_key: z.string().openapi({
      description: 'The key with its secret part hidden, to recognise it',
      example: 'vwk_…x9Qa',
    }),
    scopes: z.array(z.string()).openapi({ example: ['profile:read'] }),
    status: z.enum(['active', 'revoked', 'expired']),
    created_at: timestamp('When the key was created'),
    expires_at: timestamp('When the key stops working; null: never').nullable(),
    last_used_at: timestamp('Last use, to the minute').nullable(),
    revoked_at: timestamp('When the key was revoked').nullable(),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z.string().nullable().openapi({
    description:
      'The API key (`vwk_…`), shown only in this response. A replay of the request (same Idempotency-Key) answers null here: the secret is never stored.',
  }),
}).openapi('CreatedApiKey');

export const CreateApiKeyBody = z
  .strictObject({
    name: text()
      .trim()
      .min(1)
      .max(100)
      .openapi({ description: 'What the key is for', example: 'billing export' }),
    scopes: z
      .array(text().max(64))
      .min(1)
      .max(50)
      .openapi({
        description: 'Scopes the key holds (`*` for all), see GET /v1/scopes',
        example: ['profile:read'],
      }),
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'When the key stops working (default: never)' }),
  })
  .openapi('CreateApiKeyRequest');

const Cursor = IdLike.optional().openapi({
  description: 'Return items after this id (the `next_cursor` of the previous page)',
});

export const ListApiKeysQuery = PaginationQuery.extend({
  starting_after: Cursor,
  user_id: IdLike.optional().openapi({
    description: "Another user's keys (operators and admins only)",
  }),
});

export const ListUsersQuery = PaginationQuery.extend({
  starting_after: Cursor,
  role: Role.optional(),
  email: text().max(254).optional().openapi({ description: 'Exact email address' }),
});

export const ChangeRoleBody = z.strictObject({ role: Role }).openapi('ChangeRoleRequest');

export const IdParam = (example: string) =>
  z.object({
    id: IdLike.openapi({ param: { name: 'id', in: 'path' }, example }),
  });

export const TotpEnrolmentSchema = z
  .object({
    object: z.literal('totp_enrolment'),
    secret: z.string().nullable().openapi({
      description:
        'Base32 secret for manual entry; null on an idempotent replay (never stored in clear)',
    }),
    otpauth_uri: z.string().nullable().openapi({
      description: 'otpauth:// URI to show as a QR code; null on an idempotent replay',
    }),
  })
  .openapi('TotpEnrolment');

export const TotpConfirmBody = z.strictObject({ code: TotpCode }).openapi('TotpConfirmRequest');

export const TotpStatusSchema = z
  .object({
    object: z.literal('totp'),
    enabled: z.boolean(),
    recovery_codes: z.array(z.string()).nullable().openapi({
      description:
        'Single-use codes for when the authenticator is lost. Shown only when TOTP is turned on; null on an idempotent replay',
    }),
  })
  .openapi('TotpStatus');

export const TotpDisableBody = z
  .strictObject({
    code: TotpCode.optional(),
    recovery_code: RecoveryCode.optional(),
  })
  .openapi('TotpDisableRequest');

export const ScopeListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(z.object({ scope: z.string(), description: z.string() })),
  })
  .openapi('ScopeList');
