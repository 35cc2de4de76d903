import { errorCatalog } from '../platform/http/errors.js';
import type { SignRefusal } from './signer.js';

/** Everything the producer module refuses, as values. */
export type ProducerError =
  | SignRefusal
  | 'producer_not_running'
  | 'sign_bytes_invalid'
  | 'sign_request_mismatch'
  | 'mark_stale'
  | 'mark_invalid'
  | 'key_invalid'
  | 'region_unknown'
  | 'region_banned';

/** The one map from producer errors to HTTP. */
export const producerApiError = errorCatalog<ProducerError>({
  chain_unknown: {
    status: 404,
    type: 'not_found_error',
    message: 'No producer chain with this key is configured',
    param: 'chain',
  },
  key_missing: {
    status: 409,
    type: 'conflict_error',
    message: 'This chain has no signing key yet (PUT /v1/producer/chains/{chain}/key)',
  },
  region_not_active: {
    status: 409,
    type: 'conflict_error',
    message:
      'This region is not the active producer of the chain (or its lease could not be renewed in time): nothing was signed',
  },
  mark_regression: {
    status: 409,
    type: 'conflict_error',
    message: 'The height/round/step is at or below the high-water mark: nothing was signed',
    param: 'height',
  },
  double_sign_attempt: {
    status: 409,
    type: 'conflict_error',
    message:
      'A different block was already signed at this height/round/step: refused and reported as a double-sign attempt',
    param: 'block_id',
  },
  already_signed: {
    status: 409,
    type: 'conflict_error',
    message: 'This height/round/step is the imported mark; it is not signed again',
    param: 'height',
  },
  etcd_unavailable: {
    status: 503,
    type: 'api_error',
    message: 'etcd did not confirm the mark: nothing was signed (fail closed)',
  },
  region_banned: {
    status: 409,
    type: 'conflict_error',
    message:
      'The node-ops checks have banned every validator node of this region: it is never made active',
    param: 'to',
  },
  producer_not_running: {
    status: 409,
    type: 'conflict_error',
    message: 'This process does not run the `producer` role (VW_ROLES), so it cannot sign',
  },
  sign_bytes_invalid: {
    status: 400,
    type: 'invalid_request_error',
    message: 'sign_bytes are not CometBFT canonical vote or proposal bytes',
    param: 'sign_bytes',
  },
  sign_request_mismatch: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The height, round, step or block id given do not match the sign bytes',
  },
  mark_stale: {
    status: 409,
    type: 'conflict_error',
    message: 'The imported mark is at or below the current one',
    param: 'mark',
  },
  mark_invalid: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The mark is not a vaultwire.producer.mark.v1 document for this chain',
    param: 'mark',
  },
  key_invalid: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The private key must be 32 bytes, hex',
    param: 'private_key',
  },
  region_unknown: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The region is not a valid region name',
    param: 'to',
  },
});
