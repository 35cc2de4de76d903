import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ApiError, ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { jsonResponse as json, jsonBody as body } from '../../platform/http/route-helpers.js';
import { identityApiError } from '../errors.js';
import {
  TotpConfirmBody,
  TotpDisableBody,
  TotpEnrolmentSchema,
  TotpStatusSchema,
} from '../schemas.js';
import { actorOf, sessionCaller, type IdentityRouteKit } from './common.js';

/** Two-factor authentication: enrol, confirm, disable. */
export function registerTotpRoutes(app: HttpApp, kit: IdentityRouteKit): void {
  const { identity, throttle } = kit;

  // --- two-factor authentication ------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/me/totp',
      operationId: 'startTotpEnrollment',
      tags: ['Identity'],
      summary: 'Start two-factor enrolment',
      description:
        'Returns a new TOTP secret and its otpauth:// URI for an authenticator app. Nothing changes for login until POST /v1/me/totp/confirm. Calling again replaces a pending secret.',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      responses: {
        201: json('The secret to enrol', TotpEnrolmentSchema),
        409: json('Already enabled', ErrorSchema),
      },
    }),
    async (c) => {
      const p = sessionCaller(c);
      const { secret, uri } = unwrap(await identity.startTotp(p.userId), identityApiError);
      c.set(
        'idempotencyStoredBody',
        JSON.stringify({ object: 'totp_enrolment', secret: null, otpauth_uri: null }),
      );
      return c.json({ object: 'totp_enrolment' as const, secret, otpauth_uri: uri }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/me/totp/confirm',
      operationId: 'enableTotp',
      tags: ['Identity'],
      summary: 'Turn two-factor authentication on',
      description:
        'Confirms enrolment with a current code. From now on, login needs a code. Returns recovery codes, shown only here.',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      request: body(TotpConfirmBody),
      responses: { 200: json('Enabled', TotpStatusSchema), 409: json('Not enrolled', ErrorSchema) },
    }),
    async (c) => {
      const p = sessionCaller(c);
      await throttle(`totp:${p.userId}`);
      const { recoveryCodes } = unwrap(
        await identity.confirmTotp(p.userId, c.req.valid('json').code, actorOf(c)),
        identityApiError,
      );
      c.set(
        'idempotencyStoredBody',
        JSON.stringify({ object: 'totp', enabled: true, recovery_codes: null }),
      );
      return c.json({ object: 'totp' as const, enabled: true, recovery_codes: recoveryCodes }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/me/totp/disable',
      operationId: 'disableTotp',
      tags: ['Identity'],
      summary: 'Turn two-factor authentication off',
      description: 'Needs a current code (`code`) or an unused `recovery_code`.',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      request: body(TotpDisableBody),
      responses: { 200: json('Disabled', TotpStatusSchema), 409: json('Not enabled', ErrorSchema) },
    }),
    async (c) => {
      const p = sessionCaller(c);
      await throttle(`totp:${p.userId}`);
      const input = c.req.valid('json');
      if ((input.code === undefined) === (input.recovery_code === undefined)) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          'Send exactly one of code and recovery_code',
          'code',
        );
      }
      unwrap(
        await identity.disableTotp(
          p.userId,
          { code: input.code, recoveryCode: input.recovery_code },
          actorOf(c),
        ),
        identityApiError,
      );
      return c.json({ object: 'totp' as const, enabled: false, recovery_codes: null }, 200);
    },
  );
}
