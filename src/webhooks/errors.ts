import type { Failure } from '../platform/failure.js';
import { errorCatalog } from '../platform/http/errors.js';

/** What webhook operations refuse: the codes of their `Failure`s (platform/failure.ts). */
export enum WebhookError {
  UrlInvalid = 'url_invalid',
  UrlNotHttps = 'url_not_https',
  UrlHasCredentials = 'url_has_credentials',
  UrlUnresolvable = 'url_unresolvable',
  UrlForbiddenAddress = 'url_forbidden_address',
  EventTypeUnknown = 'event_type_unknown',
  EndpointNotFound = 'endpoint_not_found',
  EndpointLimitReached = 'endpoint_limit_reached',
  SubscriptionNotFound = 'subscription_not_found',
  ChainUnknown = 'chain_unknown',
  FilterInvalid = 'filter_invalid',
  AddressInvalid = 'address_invalid',
  TooManyAddresses = 'too_many_addresses',
  SubscriptionKindMismatch = 'subscription_kind_mismatch',
  MessageNotFound = 'message_not_found',
  ReplayRangeInvalid = 'replay_range_invalid',
  BackfillTooDeep = 'backfill_too_deep',
  EndpointDisabled = 'endpoint_disabled',
}

export const webhookApiError = errorCatalog<WebhookError>({
  [WebhookError.UrlInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The URL is not a valid absolute http(s) URL',
    param: 'url',
  },
  [WebhookError.UrlNotHttps]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Endpoints must use https:// (plain http is accepted in the dev profile only)',
    param: 'url',
  },
  [WebhookError.UrlHasCredentials]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Put no user name or password in the URL; verify our signature instead',
    param: 'url',
  },
  [WebhookError.UrlUnresolvable]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The host name of the URL does not resolve',
    param: 'url',
  },
  [WebhookError.UrlForbiddenAddress]: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The URL points to a loopback, private, link-local or metadata address; webhooks only go to public addresses',
    param: 'url',
  },
  [WebhookError.EventTypeUnknown]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Unknown event type',
    param: 'event_types',
  },
  [WebhookError.EndpointNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such webhook endpoint',
  },
  [WebhookError.EndpointLimitReached]: {
    status: 409,
    type: 'conflict_error',
    message: 'You have reached the number of webhook endpoints allowed',
  },
  [WebhookError.SubscriptionNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such subscription',
  },
  [WebhookError.ChainUnknown]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'No chain with this key is configured',
    param: 'chain',
  },
  [WebhookError.FilterInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The filter is malformed',
    param: 'filter',
  },
  [WebhookError.AddressInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'An address is not a 0x-prefixed 20-byte hex address',
    param: 'addresses',
  },
  [WebhookError.TooManyAddresses]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The subscription would watch more addresses than allowed',
    param: 'addresses',
  },
  [WebhookError.SubscriptionKindMismatch]: {
    status: 409,
    type: 'conflict_error',
    message: 'This operation does not apply to this kind of subscription',
  },
  [WebhookError.MessageNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such webhook message',
  },
  [WebhookError.ReplayRangeInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Give one of message_id, a time range (since, until) or a block range',
  },
  [WebhookError.EndpointDisabled]: {
    status: 409,
    type: 'conflict_error',
    message:
      'The endpoint is disabled: re-enable it (POST /v1/webhook_endpoints/{id}/resume), then recover',
  },
  [WebhookError.BackfillTooDeep]: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'from_block is further behind the followed chain than a backfill may reach (VW_WEBHOOK_BACKFILL_MAX_BLOCKS)',
    param: 'from_block',
  },
});

/** A refused webhook operation, turned into the one error shape by `unwrap(r, webhookApiError)`. */
export type WebhookFailure<C extends WebhookError = WebhookError> = Failure<C>;
