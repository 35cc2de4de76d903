// Generated from the server's /openapi.json by `npm run client:generate`: do not edit.
// What the API checks on each request-body field, by operation id.
import type { FieldRule } from './validate.js';

export const REQUEST_RULES = {
  addAllowlistedAddress: {
    chain: {
      required: true,
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]{0,31}$',
    },
    address: {
      required: true,
      type: 'string',
      maxLength: 100,
    },
    label: {
      required: false,
      type: 'string',
      maxLength: 100,
    },
  },
  addWebhookSubscriptionItems: {
    items: {
      required: true,
      type: 'array',
    },
    from_block: {
      required: false,
      type: 'string',
      pattern: '^\\d{1,19}$',
    },
  },
  changePassword: {
    current_password: {
      required: true,
      type: 'string',
      maxLength: 1024,
    },
    new_password: {
      required: true,
      type: 'string',
      maxLength: 1024,
    },
  },
  createAdminAdjustment: {
    user: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 320,
    },
    asset: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 16,
    },
    direction: {
      required: true,
      type: 'string',
      enum: ['credit', 'debit'],
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
    },
  },
  createApiKey: {
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    scopes: {
      required: true,
      type: 'array',
    },
    expires_at: {
      required: false,
      type: 'string',
      format: 'date-time',
    },
  },
  createAsset: {
    code: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    kind: {
      required: true,
      type: 'string',
      enum: ['fiat', 'crypto'],
    },
    scale: {
      required: true,
      type: 'integer',
    },
    name: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
  },
  createDepositAddress: {
    chain: {
      required: true,
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]{0,31}$',
    },
    asset: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 20,
    },
  },
  createFiatDeposit: {
    asset: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 16,
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
  },
  createFiatWithdrawal: {
    asset: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 16,
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    destination: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
  },
  createPayment: {
    to: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 320,
    },
    asset: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 16,
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    note: {
      required: false,
      type: 'string',
      maxLength: 280,
    },
  },
  createPaymentRequest: {
    from: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 320,
    },
    asset: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 16,
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    note: {
      required: false,
      type: 'string',
      maxLength: 280,
    },
  },
  createQuote: {
    from: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 16,
    },
    to: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 16,
    },
    spend_amount: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    receive_amount: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
  },
  createSession: {
    email: {
      required: true,
      type: 'string',
      maxLength: 254,
      format: 'email',
    },
    password: {
      required: true,
      type: 'string',
      maxLength: 1024,
    },
    totp_code: {
      required: false,
      type: 'string',
      pattern: '^\\d{6}$',
    },
    recovery_code: {
      required: false,
      type: 'string',
      minLength: 16,
      maxLength: 40,
    },
  },
  createUser: {
    email: {
      required: true,
      type: 'string',
      maxLength: 254,
      format: 'email',
    },
    password: {
      required: true,
      type: 'string',
      maxLength: 1024,
    },
    handle: {
      required: false,
      type: 'string',
      pattern: '^[A-Za-z0-9_]{3,30}$',
    },
  },
  createWebhookEndpoint: {
    url: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 2000,
    },
    event_types: {
      required: true,
      type: 'array',
    },
    description: {
      required: false,
      maxLength: 500,
    },
    ordered: {
      required: false,
      type: 'boolean',
    },
    rate_limit_per_sec: {
      required: false,
    },
    max_in_flight: {
      required: false,
    },
  },
  createWebhookSubscription: {
    endpoint_id: {
      required: true,
      type: 'string',
      maxLength: 64,
    },
    kind: {
      required: true,
      type: 'string',
      enum: ['address_activity', 'contract_log', 'new_block', 'transaction'],
    },
    chain: {
      required: true,
      type: 'string',
      maxLength: 32,
    },
    filter: {
      required: false,
      type: 'object',
    },
    addresses: {
      required: false,
      type: 'array',
    },
    tx_hashes: {
      required: false,
      type: 'array',
    },
    from_block: {
      required: false,
      type: 'string',
      pattern: '^\\d{1,19}$',
    },
  },
  createWithdrawal: {
    chain: {
      required: true,
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]{0,31}$',
    },
    asset: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 20,
    },
    to_address: {
      required: true,
      type: 'string',
      maxLength: 100,
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
  },
  disableTotp: {
    code: {
      required: false,
      type: 'string',
      pattern: '^\\d{6}$',
    },
    recovery_code: {
      required: false,
      type: 'string',
      minLength: 16,
      maxLength: 40,
    },
  },
  enableTotp: {
    code: {
      required: true,
      type: 'string',
      pattern: '^\\d{6}$',
    },
  },
  freezeAdminWallet: {
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
    },
  },
  recoverWebhookEndpoint: {
    since: {
      required: true,
      type: 'string',
      format: 'date-time',
    },
    until: {
      required: false,
      type: 'string',
      format: 'date-time',
    },
  },
  rejectWithdrawal: {
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
    },
  },
  removeWebhookSubscriptionItems: {
    items: {
      required: true,
      type: 'array',
    },
    from_block: {
      required: false,
      type: 'string',
      pattern: '^\\d{1,19}$',
    },
  },
  replayWebhookEndpoint: {
    message_id: {
      required: false,
      type: 'string',
      maxLength: 64,
    },
    since: {
      required: false,
      type: 'string',
      format: 'date-time',
    },
    until: {
      required: false,
      type: 'string',
      format: 'date-time',
    },
    chain: {
      required: false,
      type: 'string',
      maxLength: 32,
    },
    from_block: {
      required: false,
      type: 'string',
      pattern: '^\\d{1,19}$',
    },
    to_block: {
      required: false,
      type: 'string',
      pattern: '^\\d{1,19}$',
    },
    only_failed: {
      required: false,
      type: 'boolean',
    },
  },
  reverseDeposit: {
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
    },
  },
  rotateWebhookEndpointSecret: {
    overlap_seconds: {
      required: false,
      type: 'integer',
    },
  },
  setUserRole: {
    role: {
      required: true,
      type: 'string',
      enum: ['user', 'merchant', 'operator', 'admin'],
    },
  },
  setWalletTier: {
    tier: {
      required: true,
      type: 'string',
      enum: ['unverified', 'verified', 'enhanced'],
    },
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
    },
  },
  unfreezeAdminWallet: {
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
    },
  },
  updateMe: {
    handle: {
      required: true,
      type: 'string',
      pattern: '^[A-Za-z0-9_]{3,30}$',
    },
  },
  updateWebhookEndpoint: {
    url: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 2000,
    },
    event_types: {
      required: false,
      type: 'array',
    },
    description: {
      required: false,
      maxLength: 500,
    },
    ordered: {
      required: false,
      type: 'boolean',
    },
    rate_limit_per_sec: {
      required: false,
    },
    max_in_flight: {
      required: false,
    },
  },
} as const satisfies Record<string, Record<string, FieldRule>>;

/** Requests that carry a password: the API refuses an Idempotency-Key on them (it would store a fast hash of the password). */
export const NO_IDEMPOTENCY_KEY: ReadonlySet<string> = new Set([
  'POST /v1/me/password',
  'POST /v1/sessions',
  'POST /v1/users',
]);
