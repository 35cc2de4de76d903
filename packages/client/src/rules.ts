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
  apiMerchantKeys: {
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    mode: {
      required: true,
      type: 'string',
      enum: ['live', 'test'],
    },
    scopes: {
      required: false,
      type: 'array',
    },
  },
  approveAdminBankPayout: {},
  banNodeopsNode: {
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
    },
  },
  cancelBankPayout: {},
  cancelOrder: {
    reason: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 500,
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
  checkoutCart: {
    email: {
      required: false,
      type: 'string',
      maxLength: 320,
      format: 'email',
    },
  },
  codesCampaign: {
    code: {
      required: true,
      type: 'string',
      minLength: 3,
      maxLength: 60,
    },
    usage_limit: {
      required: false,
      type: 'integer',
    },
  },
  couponCart: {
    code: {
      required: true,
      minLength: 1,
      maxLength: 60,
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
  createBankPayout: {
    asset: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
    destination: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    description: {
      required: false,
      type: 'string',
      maxLength: 200,
    },
  },
  createCampaign: {
    merchant: {
      required: false,
      type: 'string',
      maxLength: 64,
    },
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 200,
    },
    channel: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 60,
    },
    currency: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    starts_at: {
      required: true,
      type: 'string',
      format: 'date-time',
    },
    ends_at: {
      required: false,
      type: 'string',
      format: 'date-time',
    },
    rule: {
      required: true,
      type: 'object',
    },
    target: {
      required: false,
      type: 'object',
    },
    budget: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    redemption_limit: {
      required: false,
      type: 'integer',
    },
    per_customer_limit: {
      required: false,
      type: 'integer',
    },
  },
  createCampaignsRedemption: {
    merchant: {
      required: false,
      type: 'string',
      maxLength: 64,
    },
    code: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 60,
    },
    order_id: {
      required: true,
      type: 'string',
      pattern: '^[A-Za-z0-9._~:-]{1,100}$',
    },
    customer: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 200,
    },
    currency: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    order_total: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
  },
  createCart: {
    store_id: {
      required: true,
      type: 'string',
      maxLength: 64,
    },
    currency: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
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
  createInvoice: {
    currency: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
    assets: {
      required: false,
      type: 'array',
    },
    description: {
      required: false,
      type: 'string',
      maxLength: 1000,
    },
    order_id: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 200,
    },
    customer_email: {
      required: false,
      type: 'string',
      maxLength: 320,
      format: 'email',
    },
    redirect_url: {
      required: false,
      type: 'string',
      maxLength: 2000,
      format: 'uri',
    },
    metadata: {
      required: false,
      type: 'object',
    },
    expires_in_seconds: {
      required: false,
      type: 'integer',
    },
  },
  createMerchant: {
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 200,
    },
  },
  createNodeopsChain: {
    key: {
      required: true,
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
    },
    family: {
      required: true,
      type: 'string',
      enum: ['cometbft', 'evm', 'eos', 'xrpl'],
    },
    references: {
      required: false,
      type: 'array',
    },
    lcd_url: {
      required: false,
      type: 'string',
      maxLength: 2000,
    },
    release_feed: {
      required: false,
      type: 'string',
      maxLength: 2000,
    },
    block_time_seconds: {
      required: false,
      type: 'number',
    },
    lag_blocks: {
      required: false,
      type: 'integer',
    },
    stall_seconds: {
      required: false,
      type: 'number',
    },
    min_peers: {
      required: false,
      type: 'integer',
    },
    missed_consecutive: {
      required: false,
      type: 'integer',
    },
    missed_window: {
      required: false,
      type: 'integer',
    },
    missed_window_max: {
      required: false,
      type: 'integer',
    },
    ban_after_seconds: {
      required: false,
      type: 'number',
    },
    unban_after_seconds: {
      required: false,
      type: 'number',
    },
    missed_rounds: {
      required: false,
      type: 'integer',
    },
  },
  createNodeopsNode: {
    name: {
      required: true,
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
    },
    chain: {
      required: true,
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
    },
    region: {
      required: true,
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]{0,31}$',
    },
    role: {
      required: true,
      type: 'string',
      enum: ['validator', 'sentry', 'rpc'],
    },
    url: {
      required: true,
      type: 'string',
      maxLength: 2000,
    },
    validator_address: {
      required: false,
      type: 'string',
      pattern: '^[0-9A-Fa-f]{40}$',
    },
    producer_name: {
      required: false,
      type: 'string',
      pattern: '^[a-z1-5.]{1,12}$',
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
  createPaymentLink: {
    currency: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    amount: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
    assets: {
      required: false,
      type: 'array',
    },
    description: {
      required: false,
      type: 'string',
      maxLength: 1000,
    },
    max_uses: {
      required: false,
      type: 'integer',
    },
    expires_in_seconds: {
      required: false,
      type: 'integer',
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
  createPayout: {
    asset: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
    to_address: {
      required: true,
      type: 'string',
      maxLength: 64,
    },
  },
  createPosTerminal: {
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
    currency: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    assets: {
      required: false,
      type: 'array',
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
  createStore: {
    merchant: {
      required: true,
      type: 'string',
      maxLength: 64,
    },
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 120,
    },
    logo_url: {
      required: false,
      type: 'string',
      maxLength: 2000,
      format: 'uri',
    },
    colors: {
      required: false,
      type: 'object',
    },
    position: {
      required: true,
      type: 'object',
    },
    tax_bps: {
      required: false,
      type: 'integer',
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
  generateCampaignCodes: {
    count: {
      required: true,
      type: 'integer',
    },
    length: {
      required: false,
      type: 'integer',
    },
    prefix: {
      required: false,
      type: 'string',
      maxLength: 12,
    },
    pattern: {
      required: false,
      type: 'string',
      maxLength: 40,
    },
    alphabet: {
      required: false,
      type: 'string',
      maxLength: 64,
    },
    usage_limit: {
      required: false,
      type: 'integer',
    },
  },
  itemsCart: {
    variant_id: {
      required: true,
      type: 'string',
      maxLength: 64,
    },
    quantity: {
      required: true,
      type: 'integer',
    },
  },
  linkRefund: {
    link_expires_in_seconds: {
      required: false,
      type: 'integer',
    },
  },
  membersMerchant: {
    email: {
      required: true,
      type: 'string',
      maxLength: 320,
      format: 'email',
    },
    role: {
      required: true,
      type: 'string',
      enum: ['owner', 'admin', 'developer', 'support', 'viewer'],
    },
  },
  payCheckoutInvoice: {
    asset: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    amount: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
  },
  productsStore: {
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 200,
    },
    description: {
      required: false,
      type: 'string',
      maxLength: 5000,
    },
    image_urls: {
      required: false,
      type: 'array',
    },
    variants: {
      required: true,
      type: 'array',
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
  refundsInvoice: {
    asset: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    amount: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
    reason: {
      required: false,
      type: 'string',
      maxLength: 500,
    },
    link_expires_in_seconds: {
      required: false,
      type: 'integer',
    },
  },
  rejectAdminBankPayout: {
    reason: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 500,
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
  replaceMerchantFees: {
    bps: {
      required: true,
      type: 'integer',
    },
    fixed: {
      required: false,
      type: 'object',
    },
  },
  replacePayoutSchedules: {
    asset: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    enabled: {
      required: false,
      type: 'boolean',
    },
    period: {
      required: true,
      type: 'string',
      enum: ['daily', 'weekly'],
    },
    weekday: {
      required: false,
      type: 'integer',
    },
    minimum: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 80,
    },
    destination: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 100,
    },
  },
  replaceProducerChainKey: {
    private_key: {
      required: false,
      type: 'string',
      maxLength: 66,
    },
  },
  replaceProducerChainMark: {
    format: {
      required: true,
      type: 'string',
      enum: ['vaultwire.producer.mark.v1'],
    },
    chain: {
      required: true,
      type: 'string',
    },
    public_key: {
      required: false,
      type: 'string',
    },
    mark: {
      required: true,
      type: 'object',
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
  signaturesProducerChain: {
    sign_bytes: {
      required: true,
      type: 'string',
      pattern: '^[A-Za-z0-9+/]*={0,2}$',
      maxLength: 16384,
    },
    height: {
      required: false,
      type: 'string',
      pattern: '^\\d{1,19}$',
    },
    round: {
      required: false,
      type: 'integer',
    },
    step: {
      required: false,
      type: 'integer',
    },
    block_id: {
      required: false,
      type: 'string',
      maxLength: 300,
    },
  },
  silenceNodeopsAlert: {
    seconds: {
      required: true,
      type: 'integer',
    },
  },
  statusCampaign: {
    status: {
      required: true,
      type: 'string',
      enum: ['active', 'paused'],
    },
  },
  stockVariant: {
    on_hand: {
      required: true,
      type: 'integer',
    },
  },
  switchoverProducerChain: {
    to: {
      required: false,
      type: 'string',
      maxLength: 32,
    },
    from: {
      required: false,
      type: 'string',
      maxLength: 32,
    },
  },
  testInvoicePayments: {
    asset: {
      required: true,
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{1,15}$',
    },
    amount: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 80,
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
  updateMerchant: {
    name: {
      required: true,
      type: 'string',
      minLength: 1,
      maxLength: 200,
    },
  },
  updatePaymentLink: {
    active: {
      required: false,
      type: 'boolean',
    },
    description: {
      required: false,
      maxLength: 1000,
    },
  },
  updateProduct: {
    name: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 200,
    },
    description: {
      required: false,
      type: 'string',
      maxLength: 5000,
    },
    image_urls: {
      required: false,
      type: 'array',
    },
    variants: {
      required: false,
      type: 'array',
    },
  },
  updateRefundLink: {
    address: {
      required: true,
      type: 'string',
      maxLength: 64,
    },
  },
  updateStore: {
    merchant: {
      required: false,
      type: 'string',
      maxLength: 64,
    },
    name: {
      required: false,
      type: 'string',
      minLength: 1,
      maxLength: 120,
    },
    logo_url: {
      required: false,
      maxLength: 2000,
      format: 'uri',
    },
    colors: {
      required: false,
      type: 'object',
    },
    position: {
      required: false,
      type: 'object',
    },
    tax_bps: {
      required: false,
      type: 'integer',
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
