import { errorCatalog } from '../platform/http/errors.js';

/** What node operations refuse: the codes of their `Failure`s (platform/failure.ts). */
export enum NodeopsError {
  ChainNotFound = 'chain_not_found',
  ChainExists = 'chain_exists',
  ChainInUse = 'chain_in_use',
  NodeNotFound = 'node_not_found',
  NodeNameTaken = 'node_name_taken',
  NodeAlreadyBanned = 'node_already_banned',
  NodeNotBanned = 'node_not_banned',
  ChannelNotFound = 'channel_not_found',
  ChannelNameTaken = 'channel_name_taken',
  AlertNotFound = 'alert_not_found',
  AlertResolved = 'alert_resolved',
  UrlInvalid = 'url_invalid',
  UrlForbiddenAddress = 'url_forbidden_address',
  UrlUnresolvable = 'url_unresolvable',
  ValidatorNeedsAddress = 'validator_address_invalid',
  FamilyMismatch = 'family_mismatch',
  MonitorNotFound = 'monitor_not_found',
  MonitorNameTaken = 'monitor_name_taken',
  BackupPathNotAllowed = 'backup_path_not_allowed',
  PushTokenUnknown = 'push_token_unknown',
}

export const nodeopsApiError = errorCatalog<NodeopsError>({
  [NodeopsError.ChainNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such chain in the fleet',
    param: 'chain',
  },
  [NodeopsError.ChainExists]: {
    status: 409,
    type: 'conflict_error',
    message: 'A chain with this key exists',
    param: 'key',
  },
  [NodeopsError.ChainInUse]: {
    status: 409,
    type: 'conflict_error',
    message: 'Nodes of this chain are registered: remove them first',
  },
  [NodeopsError.NodeNotFound]: { status: 404, type: 'not_found_error', message: 'No such node' },
  [NodeopsError.NodeNameTaken]: {
    status: 409,
    type: 'conflict_error',
    message: 'A node with this name exists',
    param: 'name',
  },
  [NodeopsError.NodeAlreadyBanned]: {
    status: 409,
    type: 'conflict_error',
    message: 'The node is banned already',
  },
  [NodeopsError.NodeNotBanned]: {
    status: 409,
    type: 'conflict_error',
    message: 'The node is not banned',
  },
  [NodeopsError.ChannelNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such channel',
  },
  [NodeopsError.ChannelNameTaken]: {
    status: 409,
    type: 'conflict_error',
    message: 'A channel with this name exists',
    param: 'name',
  },
  [NodeopsError.AlertNotFound]: { status: 404, type: 'not_found_error', message: 'No such alert' },
  [NodeopsError.AlertResolved]: {
    status: 409,
    type: 'conflict_error',
    message: 'The alert is resolved already',
  },
  [NodeopsError.UrlInvalid]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The URL is not a valid absolute http(s) URL without credentials',
    param: 'url',
  },
  [NodeopsError.UrlForbiddenAddress]: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The URL points to a loopback, private or metadata address; allow its range in nodeops.ssrfAllow to watch it',
    param: 'url',
  },
  [NodeopsError.UrlUnresolvable]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The URL’s host name does not resolve',
    param: 'url',
  },
  [NodeopsError.ValidatorNeedsAddress]: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Only a validator node takes a validator_address',
    param: 'validator_address',
  },
  [NodeopsError.MonitorNotFound]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such monitor',
  },
  [NodeopsError.MonitorNameTaken]: {
    status: 409,
    type: 'conflict_error',
    message: 'A monitor with this name exists',
    param: 'name',
  },
  [NodeopsError.BackupPathNotAllowed]: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The path is not under one of nodeops.backupPathRoots (the directories the API may point backup monitors at)',
    param: 'path',
  },
  [NodeopsError.PushTokenUnknown]: {
    status: 404,
    type: 'not_found_error',
    message: 'No push monitor has this token',
    param: 'x-push-token',
  },
  [NodeopsError.FamilyMismatch]: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The field does not apply to this family: lcd_url and validator_address are for cometbft, producer_name for eos',
  },
});
