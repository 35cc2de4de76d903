import { describe, expect, it } from 'vitest';
import { deriveOperationId } from './operation-id.js';

describe('deriveOperationId', () => {
  it.each([
    ['get', '/v1/webhook_endpoints', 'listWebhookEndpoints'],
    ['post', '/v1/webhook_endpoints', 'createWebhookEndpoint'],
    ['get', '/v1/webhook_endpoints/{id}', 'getWebhookEndpoint'],
    ['patch', '/v1/webhook_endpoints/{id}', 'updateWebhookEndpoint'],
    ['delete', '/v1/webhook_endpoints/{id}', 'deleteWebhookEndpoint'],
    ['post', '/v1/webhook_endpoints/{id}/rotate_secret', 'rotateWebhookEndpointSecret'],
    ['get', '/v1/webhook_endpoints/{id}/dead_letters', 'listWebhookEndpointDeadLetters'],
    ['post', '/v1/webhook_subscriptions/{id}/items/add', 'addWebhookSubscriptionItems'],
    ['post', '/v1/withdrawals/{id}/approve', 'approveWithdrawal'],
    ['post', '/v1/deposit_addresses', 'createDepositAddress'],
    ['post', '/v1/payment_requests/{id}/pay', 'payPaymentRequest'],
    ['get', '/v1/admin/wallets/{user}/adjustments', 'listAdminWalletAdjustments'],
    ['post', '/v1/admin/adjustments', 'createAdminAdjustment'],
    ['get', '/v1/me', 'getMe'],
    ['get', '/v1/wallet/history', 'getWalletHistory'],
    ['get', '/v1/wallet/balances', 'listWalletBalances'],
    ['get', '/v1/audit_anchors/status', 'getAuditAnchorsStatus'],
    ['post', '/v1/policies', 'createPolicy'],
    ['get', '/v1/api_keys/{id}', 'getApiKey'],
  ])('%s %s → %s', (method, path, expected) => {
    expect(deriveOperationId(method, path)).toBe(expected);
  });
});
