// Generated from the server's /openapi.json by `npm run client:generate`: do not edit.
// Types of every path, operation and component of the Vaultwire API.
/* eslint-disable */
export interface paths {
  '/v1/audit_events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List audit events
     * @description Security-relevant actions, newest first, filterable by action, actor or target. Each event carries the hash chain fields; `vaultwire audit verify` checks the whole chain.
     *
     *     Roles: admin. Scope: `audit:read`.
     */
    get: operations['listAuditEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit_anchors/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Audit anchoring status
     * @description Whether the audit chain head is exported to anchor sinks, the last anchor taken and the sinks that still owe it a copy. `enabled: false` when anchoring is off. `vaultwire audit verify --anchors <file>` checks the chain against the exported anchors.
     *
     *     Roles: admin. Scope: `audit:read`.
     */
    get: operations['getAuditAnchorsStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/notifications': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Notices about your account, oldest first
     * @description What the platform had to tell you: a webhook endpoint of yours disabled (with the reason), and so on. Each is also emailed to you when the deployment has SMTP configured.
     *
     *     Roles: user, merchant, operator, admin. Scope: `notifications:read`.
     */
    get: operations['listNotifications'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ops/queues': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Job queues and the outbox backlog
     * @description Jobs per queue and state (with the age of the oldest due one) and the events waiting in the outbox. Operators and admins.
     *
     *     Roles: operator, admin. Scope: `jobs:read`.
     */
    get: operations['listOpsQueues'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ops/jobs/dead': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Dead jobs (out of attempts), oldest first
     * @description Roles: operator, admin. Scope: `jobs:read`.
     */
    get: operations['getOpsJobsDead'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/ops/jobs/{id}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Retry a dead job
     * @description Puts a dead job back in its queue with fresh attempts. 404 for no such job, 409 `job_not_dead` for one that is not dead (already retried, or never failed). Audited.
     *
     *     Roles: operator, admin. Scope: `jobs:write`.
     */
    post: operations['retryOpsJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List users
     * @description Users in sign-up order, optionally filtered by role or exact email.
     *
     *     Roles: operator, admin. Scope: `users:read`.
     */
    get: operations['listUsers'];
    put?: never;
    /**
     * Sign up
     * @description Creates a user with the role `user`. Then log in with POST /v1/sessions. Takes no Idempotency-Key (it carries a password); a retry answers 409 `email_taken`.
     */
    post: operations['createUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a user
     * @description Roles: operator, admin. Scope: `users:read`.
     */
    get: operations['getUser'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users/{id}/role': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Change a user's role
     * @description The last admin cannot be demoted. Takes effect on the next request of that user.
     *
     *     Roles: admin. Scope: `users:write`.
     */
    post: operations['setUserRole'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List your sessions
     * @description Your open (unexpired, unrevoked) sessions, newest first. Needs a session token.
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:read`.
     */
    get: operations['listSessions'];
    put?: never;
    /**
     * Log in
     * @description Exchanges email and password (and a TOTP code when two-factor authentication is on) for a session token. A wrong password and an unknown email give the same `invalid_login` error. Attempts per IP and email are rate limited. Takes no Idempotency-Key (it carries a password).
     */
    post: operations['createSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/sessions/current': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Log out
     * @description Revokes the session token used for this request.
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:read`.
     */
    delete: operations['logOut'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/sessions/{id}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Revoke one of your sessions
     * @description Signs out another device. Needs a session token.
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:write`.
     */
    post: operations['revokeSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Who am I
     * @description Roles: user, merchant, operator, admin. Scope: `profile:read`.
     */
    get: operations['getMe'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Set or change your handle
     * @description The handle others pay you by (`@handle`). Another user's handle is a 409 `handle_taken`; one that is not 3 to 30 letters, digits or underscores is a 400.
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:write`.
     */
    patch: operations['updateMe'];
    trace?: never;
  };
  '/v1/me/password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Change your password
     * @description Needs the current password and a session token. Every other session of yours is signed out; API keys stay valid. Takes no Idempotency-Key (it carries a password).
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:write`.
     */
    post: operations['changePassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/totp': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start two-factor enrolment
     * @description Returns a new TOTP secret and its otpauth:// URI for an authenticator app. Nothing changes for login until POST /v1/me/totp/confirm. Calling again replaces a pending secret.
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:write`.
     */
    post: operations['startTotpEnrollment'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/totp/confirm': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Turn two-factor authentication on
     * @description Confirms enrolment with a current code. From now on, login needs a code. Returns recovery codes, shown only here.
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:write`.
     */
    post: operations['enableTotp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/totp/disable': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Turn two-factor authentication off
     * @description Needs a current code (`code`) or an unused `recovery_code`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `profile:write`.
     */
    post: operations['disableTotp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/scopes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List API key scopes
     * @description Roles: user, merchant, operator, admin. Scope: `keys:read`.
     */
    get: operations['listScopes'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/api_keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List API keys
     * @description Your keys (never their secrets), oldest first. Operators and admins may pass `user_id`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `keys:read`.
     */
    get: operations['listApiKeys'];
    put?: never;
    /**
     * Create an API key
     * @description The secret is in this response only; it is stored hashed and can never be shown again. The key acts with your role, narrowed to its scopes. A key made with an API key may only hold scopes that key holds.
     *
     *     Roles: user, merchant, operator, admin. Scope: `keys:write`.
     */
    post: operations['createApiKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/api_keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get an API key
     * @description Roles: user, merchant, operator, admin. Scope: `keys:read`.
     */
    get: operations['getApiKey'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/api_keys/{id}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Revoke an API key
     * @description The key stops working at once. Your own keys; admins may revoke any key. Revoking twice is harmless.
     *
     *     Roles: user, merchant, operator, admin. Scope: `keys:write`.
     */
    post: operations['revokeApiKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/chains': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Chains and their followers
     * @description Every configured chain: the follower cursor, the node head and the lag. Operators also see the lease holder and RPC endpoint health.
     *
     *     Roles: user, merchant, operator, admin. Scope: `chains:read`.
     */
    get: operations['listChains'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/chains/{chain}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One chain
     * @description Roles: user, merchant, operator, admin. Scope: `chains:read`.
     */
    get: operations['getChain'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/deposit_addresses': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Your deposit address for an asset
     * @description The address to send `asset` to on `chain`. The same address every time (one per user per chain); created on first call.
     *
     *     Roles: user, merchant, operator, admin. Scope: `deposits:write`.
     */
    post: operations['createDepositAddress'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/deposits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Deposit history
     * @description Your deposits, newest first. Operators may pass `user_id` or list everyone’s.
     *
     *     Roles: user, merchant, operator, admin. Scope: `deposits:read`.
     */
    get: operations['listDeposits'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/deposits/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One deposit
     * @description Roles: user, merchant, operator, admin. Scope: `deposits:read`.
     */
    get: operations['getDeposit'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/deposits/{id}/reverse': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reverse a credited deposit a reorg removed (operators)
     * @description For a `reorged_after_credit` deposit whose transfer is not on the chain: releases its hold and reverses the credit in the ledger (a reversal linked to the credit), recorded in the audit log. A transfer that comes back is confirmed again by the follower instead.
     *
     *     Roles: operator, admin. Scope: `deposit_reversals:write`.
     */
    post: operations['reverseDeposit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/withdrawals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Withdrawal history
     * @description Roles: user, merchant, operator, admin. Scope: `withdrawals:read`.
     */
    get: operations['listWithdrawals'];
    put?: never;
    /**
     * Send crypto to an address
     * @description Holds the amount, then signs and broadcasts an EIP-1559 transaction from the hot wallet; the hold is posted once it is confirmed, released if it fails. To another Vaultwire user’s deposit address it settles inside the ledger at once (`internal: true`). Above the configured amount it waits for an operator (`pending_approval`). Send an `Idempotency-Key`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `withdrawals:write`.
     */
    post: operations['createWithdrawal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/withdrawals/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One withdrawal
     * @description Roles: user, merchant, operator, admin. Scope: `withdrawals:read`.
     */
    get: operations['getWithdrawal'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/withdrawals/{id}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Approve a withdrawal waiting for approval
     * @description Roles: operator, admin. Scope: `withdrawal_approvals:write`.
     */
    post: operations['approveWithdrawal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/withdrawals/{id}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reject a withdrawal waiting for approval (its hold is released)
     * @description Roles: operator, admin. Scope: `withdrawal_approvals:write`.
     */
    post: operations['rejectWithdrawal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/withdrawal_allowlist': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Add an address to your withdrawal allowlist
     * @description Roles: user, merchant, operator, admin. Scope: `withdrawals:write`.
     */
    post: operations['addAllowlistedAddress'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/wallet': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your wallet: tier, freeze state, limits and today’s usage
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getWallet'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/wallet/balances': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Balances per asset
     * @description `available` can be spent now; `held` is reserved by pending bank withdrawals; `total` = available + held; `incoming` is pending and not yet spendable.
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['listWalletBalances'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/wallet/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your movements, newest first
     * @description Payments, trades (one item per asset), bank deposits and withdrawals and adjustments, filtered by `asset`, `type` and time (`from` inclusive, `to` exclusive).
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getWalletHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/wallet/statement': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * CSV statement of one asset
     * @description Every posted movement of the asset in [`from`, `to`), oldest first, with the opening balance, a running balance and the closing balance. At most 366 days; without dates, the last 30.
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getWalletStatement'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/assets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Assets you can hold
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['listAssets'];
    put?: never;
    /**
     * Register an asset
     * @description Creates the asset and its house accounts in the ledger (audited as `asset.created`). Idempotent by code; a different kind or scale for an existing code is refused (a scale never changes). Admins only.
     *
     *     Roles: admin. Scope: `wallet_admin:write`.
     */
    post: operations['createAsset'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Payments you sent or received, newest first
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['listPayments'];
    put?: never;
    /**
     * Pay another user
     * @description Moves money to another user by `@handle`, email or id, in any asset: crypto sent this way settles instantly inside the ledger. Send an `Idempotency-Key`: a retry with it, even days later, answers the first payment instead of paying twice.
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet:write`.
     */
    post: operations['createPayment'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payments/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One payment
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getPayment'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payment_requests': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Requests you made (outgoing) or received (incoming), newest first
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['listPaymentRequests'];
    put?: never;
    /**
     * Ask another user for money
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:write`.
     */
    post: operations['createPaymentRequest'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payment_requests/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One payment request
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getPaymentRequest'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payment_requests/{id}/pay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pay a request addressed to you
     * @description At most once: a request that is no longer pending answers 409. Send an `Idempotency-Key`: a retry with it, even days later, answers the paid request and its payment again (`Idempotent-Replayed: true`) instead of a 409.
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet:write`.
     */
    post: operations['payPaymentRequest'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payment_requests/{id}/decline': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Decline a request addressed to you
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:write`.
     */
    post: operations['declinePaymentRequest'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payment_requests/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a request you made
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:write`.
     */
    post: operations['cancelPaymentRequest'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/quotes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Price a buy, sell or conversion
     * @description Fiat → crypto is a buy, crypto → fiat a sell, crypto → crypto a conversion. Give `spend_amount` (total, fee included) or `receive_amount`. The quote locks the price (spread included), the fee and both amounts until `expires_at` (15 s by default). You never receive less than `receive_amount` nor pay more than `spend_amount`. 503 `price_stale` when the latest price is too old. With an `Idempotency-Key`, the same request again answers the same quote as it now stands (200, `Idempotent-Replayed: true`).
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet_trades:write`.
     */
    post: operations['createQuote'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/quotes/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One quote
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getQuote'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/quotes/{id}/execute': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Execute a quote
     * @description Moves both assets at the quoted terms, once: executing the same quote again answers the same trade (200) and moves nothing. An expired quote answers 409 `quote_expired` and moves nothing.
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet_trades:write`.
     */
    post: operations['executeQuote'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/trades': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your trades, newest quote first
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['listTrades'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/trades/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One trade
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getTrade'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/fiat_deposits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your bank deposits, newest first
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['listFiatDeposits'];
    put?: never;
    /**
     * Deposit fiat from your bank
     * @description Recorded as `pending`; you are credited when the rail settles it (`fiat_deposit.settled`). In test mode the simulated rail settles after `VW_WALLET_TEST_RAIL_SETTLE_MS`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet_fiat:write`.
     */
    post: operations['createFiatDeposit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/fiat_deposits/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One bank deposit
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getFiatDeposit'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/fiat_withdrawals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your bank withdrawals, newest first
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['listFiatWithdrawals'];
    put?: never;
    /**
     * Withdraw fiat to your bank
     * @description Holds the amount at once (`held` in your balance) and pays it out through the rail; the hold is posted when the rail pays (`fiat_withdrawal.completed`) and released if it refuses (`fiat_withdrawal.failed`). In test mode a destination starting with `fail` is refused by the simulated rail.
     *
     *     Roles: user, merchant, operator, admin. Scope: `wallet_fiat:write`.
     */
    post: operations['createFiatWithdrawal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/fiat_withdrawals/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One bank withdrawal
     * @description Roles: user, merchant, operator, admin. Scope: `wallet:read`.
     */
    get: operations['getFiatWithdrawal'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/wallets/{user}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A user's wallet: tier, freeze, limits, usage and balances
     * @description Roles: operator, admin. Scope: `wallet_admin:read`.
     */
    get: operations['getAdminWallet'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/wallets/{user}/freeze': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Freeze a wallet
     * @description Waits for the user’s movements in flight, then refuses every new one (payments out and in, trades, bank transfers) with `account_frozen`. Audited, with the reason; emits `wallet.frozen`.
     *
     *     Roles: operator, admin. Scope: `wallet_admin:write`.
     */
    post: operations['freezeAdminWallet'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/wallets/{user}/unfreeze': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Unfreeze a wallet
     * @description Lets the user move money again. Audited; emits `wallet.unfrozen`.
     *
     *     Roles: operator, admin. Scope: `wallet_admin:write`.
     */
    post: operations['unfreezeAdminWallet'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/wallets/{user}/tier': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Set a user's verification tier (their limits)
     * @description Roles: operator, admin. Scope: `wallet_admin:write`.
     */
    post: operations['setWalletTier'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/adjustments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Credit or debit a user, with a reason
     * @description Against the house liquidity account of the asset; recorded in the audit log and as `adjustment.created`. A debit the user cannot cover is refused (402). Admins only.
     *
     *     Roles: admin. Scope: `wallet_admin:write`.
     */
    post: operations['createAdminAdjustment'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/wallets/{user}/adjustments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A user's adjustments, newest first
     * @description Roles: operator, admin. Scope: `wallet_admin:read`.
     */
    get: operations['listAdminWalletAdjustments'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/event_types': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The event types an endpoint can take
     * @description Generated from the modules' event registries. `audience`: `owners` go only to the users an event belongs to (both sides of a payment), `owners_and_operators` to operators' endpoints too, `subscribers` to endpoints with a matching subscription.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listEventTypes'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your webhook endpoints
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listWebhookEndpoints'];
    put?: never;
    /**
     * Register a webhook endpoint
     * @description Registers an HTTPS URL for the given event types and returns its signing secret (`whsec_…`) once. The URL must resolve to public addresses. A `webhook.ping` is sent to it at once.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['createWebhookEndpoint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One webhook endpoint, with its queue
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['getWebhookEndpoint'];
    put?: never;
    post?: never;
    /**
     * Delete a webhook endpoint, its subscriptions and its queue
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    delete: operations['deleteWebhookEndpoint'];
    options?: never;
    head?: never;
    /**
     * Change a webhook endpoint
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    patch: operations['updateWebhookEndpoint'];
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pause deliveries (messages keep queueing)
     * @description Messages keep queueing and are sent, in full, on resume.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['pauseWebhookEndpoint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Resume deliveries (also re-enables a disabled endpoint)
     * @description Re-enabling a disabled endpoint sends the events that come from now on; the ones recorded while it was disabled (`skipped`) are sent only when you ask, with `/recover`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['resumeWebhookEndpoint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/disable': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Disable the endpoint (events are recorded, not sent)
     * @description Nothing is sent while disabled: matching events are recorded as `skipped` messages (and so are the messages waiting now), kept for VW_WEBHOOK_RETENTION_DAYS. Re-enable with `/resume`, then send them with `/recover`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['disableWebhookEndpoint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/rotate_secret': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Rotate the signing secret
     * @description Returns a new secret once. The previous secret keeps signing too (two `v1,` signatures per delivery) until `previous_secret_expires_at`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['rotateWebhookEndpointSecret'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/messages': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Messages of an endpoint (the delivery log), oldest first
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listWebhookEndpointMessages'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/dead_letters': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Messages that ran out of attempts (replay them with /replay)
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listWebhookEndpointDeadLetters'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/attempts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Delivery attempts: status, latency, response excerpt
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listWebhookEndpointAttempts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Replay one message, a time range or a block range
     * @description Delivers again, as due now with a fresh retry schedule, and with the original `webhook-id`. Give `message_id`, or `since` and `until`, or `from_block` and `to_block` (with `chain`). `only_failed` limits a range to dead letters; `only_failed` alone replays every dead letter of the endpoint.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['replayWebhookEndpoint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_endpoints/{id}/recover': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send the events recorded while the endpoint was disabled
     * @description Puts the `skipped` messages created from `since` (up to `until`, default now) back in the queue, oldest first (an `ordered` endpoint gets them in order), with their original `webhook-id`. Each is recovered once. The endpoint must be enabled again first (`/resume`): a disabled one answers 409 `endpoint_disabled`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['recoverWebhookEndpoint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_subscriptions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your subscriptions
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listWebhookSubscriptions'];
    put?: never;
    /**
     * Subscribe an endpoint to chain activity
     * @description `address_activity` (native, ERC-20/721/1155 transfers from or to the `addresses`), `contract_log` (a `filter` of addresses, topics, an `abi` event signature and a `where` predicate on its decoded fields), `new_block`, or `transaction` (`tx.mined` for the `tx_hashes` mined, then confirmed or reorged out; `tx.dropped` once for a hash not mined within `filter.drop_after_seconds` of chain time, 10 s to 30 days, default the VW_WEBHOOK_TX_DROP_AFTER_SECONDS setting, 10 minutes out of the box; a dropped hash mined later still gets `tx.mined`). Addresses count from `from_block` on. A `from_block` the chain follower has already passed starts a backfill: those blocks are re-read for these addresses and their activity delivered at stage `confirmed`, with the ids live delivery uses (nothing arrives twice); its id is `backfill_id`. Further back than VW_WEBHOOK_BACKFILL_MAX_BLOCKS is refused (`backfill_too_deep`). A `contract_log` subscription gets every log of the contracts in `filter.addresses` (any contract) from `from_block` on; given a `from_block`, a backfill (`backfill_id`) re-reads the blocks the follower read before the subscription and delivers their logs at stage `confirmed` once those blocks are confirmed. Without `filter.addresses` it sees only token transfers and the logs the follower is configured to emit.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['createWebhookSubscription'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_subscriptions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One subscription
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['getWebhookSubscription'];
    put?: never;
    post?: never;
    /**
     * Delete a subscription
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    delete: operations['deleteWebhookSubscription'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_subscriptions/{id}/items/add': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Watch more addresses (or tx hashes), from a block on
     * @description Up to 20,000 items per call; a subscription holds up to the configured cap. Addresses added with a `from_block` the follower has already passed are backfilled (`backfill_id`), as at creation; a re-added hash gets a new `tx.dropped` deadline.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['addWebhookSubscriptionItems'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_subscriptions/{id}/items/remove': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Stop watching addresses (or tx hashes), from a block on
     * @description Up to 20,000 items per call. A removed hash gets no `tx.dropped`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `webhooks:write`.
     */
    post: operations['removeWebhookSubscriptionItems'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_subscriptions/{id}/backfills': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Backfills of a subscription and their progress, oldest first
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listWebhookSubscriptionBackfills'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhook_subscriptions/{id}/items': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Watched addresses (or tx hashes), in order
     * @description Roles: user, merchant, operator, admin. Scope: `webhooks:read`.
     */
    get: operations['listWebhookSubscriptionItems'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/chains': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Chains of the fleet
     * @description Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['listNodeopsChains'];
    put?: never;
    /**
     * Add a chain to the fleet
     * @description A chain of family `cometbft`, `evm`, `eos` or `xrpl`, with reference endpoints its nodes are compared with and thresholds (omitted ones take their defaults). Reference URLs must resolve to public addresses unless their range is in `nodeops.ssrfAllow`.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['createNodeopsChain'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/chains/{key}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove a chain (it must have no nodes)
     * @description Roles: operator, admin. Scope: `nodeops:write`.
     */
    delete: operations['deleteNodeopsChain'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/nodes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Fleet status: one entry per node
     * @description Height, lag, peers, state, ban and last alert of every node (or of one chain, or only banned ones).
     *
     *     Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['listNodeopsNodes'];
    put?: never;
    /**
     * Register a node
     * @description A node of a registered chain, with its RPC URL (CometBFT RPC or EVM JSON-RPC). The URL must resolve to public addresses unless its range is in `nodeops.ssrfAllow`.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['createNodeopsNode'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/nodes/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A node, with its recent alerts
     * @description Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['getNodeopsNode'];
    put?: never;
    post?: never;
    /**
     * Remove a node (and its alerts)
     * @description Roles: operator, admin. Scope: `nodeops:write`.
     */
    delete: operations['deleteNodeopsNode'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/nodes/{id}/ban': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Ban a node
     * @description Recorded with its reason and audited; a `nodeops.node.banned` event is published.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['banNodeopsNode'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/nodes/{id}/unban': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Lift a node’s ban
     * @description Audited; a `nodeops.node.unbanned` event is published.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['unbanNodeopsNode'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/alerts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Alerts, newest first
     * @description Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['listNodeopsAlerts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/alerts/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An alert, with the notices sent about it
     * @description Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['getNodeopsAlert'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/alerts/{id}/acknowledge': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Acknowledge an alert
     * @description No more reminders; it still resolves (and says so) when recovery is observed. Audited.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['acknowledgeNodeopsAlert'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/alerts/{id}/silence': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Silence an alert for a while
     * @description No reminders and no resolve notice until the silence ends. Audited.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['silenceNodeopsAlert'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/channels': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Alert channels
     * @description Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['listNodeopsChannels'];
    put?: never;
    /**
     * Add an alert channel
     * @description Alerts of the chains listed (every chain when empty) at or above `min_severity` are sent to it. The bot token, Slack webhook URL or PagerDuty routing key is encrypted at rest and never returned.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['createNodeopsChannel'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/channels/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove an alert channel
     * @description Roles: operator, admin. Scope: `nodeops:write`.
     */
    delete: operations['deleteNodeopsChannel'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/monitors': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Monitors with their last check
     * @description Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['listNodeopsMonitors'];
    put?: never;
    /**
     * Add a backup, uptime or heartbeat monitor
     * @description kind `backup` (a `path` under `nodeops.backupPathRoots`, or an HTTP(S) `url` whose `Last-Modified` is the backup time; `max_age_seconds`), `http` (uptime of a web service: status, `keyword`, `json_pointer`/`json_equals`, `max_latency_ms`, `cert_expiry_days`) or `push` (a heartbeat: the answer carries the `push_token`, shown only here). URLs must resolve to public addresses unless their range is in `nodeops.ssrfAllow`. Audited.
     *
     *     Roles: operator, admin. Scope: `nodeops:write`.
     */
    post: operations['createNodeopsMonitor'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/monitors/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A monitor, with its recent alerts
     * @description Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['getNodeopsMonitor'];
    put?: never;
    post?: never;
    /**
     * Remove a monitor (and its alerts)
     * @description Roles: operator, admin. Scope: `nodeops:write`.
     */
    delete: operations['deleteNodeopsMonitor'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/backups': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Backup freshness by chain and region
     * @description For each chain (and for backups of no chain): every region’s newest backup, its age and height where known, whether its check fires, and the region holding the freshest backup.
     *
     *     Roles: operator, admin. Scope: `nodeops:read`.
     */
    get: operations['listNodeopsBackups'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/nodeops/push': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * A heartbeat from a job
     * @description The job’s push monitor is found by its token (header `x-push-token`); a call resets its `heartbeat_missed` check. No session: the token is the credential.
     */
    post: operations['createNodeopsPush'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/producer/chains/{chain}/signatures': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Sign a vote or proposal
     * @description Signs only in the active region and only above the chain’s shared high-water mark, which is advanced in the same etcd transaction that checks this region still holds the lease. The same request again returns the same signature; a different block at a signed height/round/step is refused (`double_sign_attempt`) and alerts.
     *
     *     Roles: operator, admin. Scope: `producer_signatures:write`.
     */
    post: operations['signaturesProducerChain'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/producer/chains': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Producer chains
     * @description Every producer chain: the active region, this region’s state and the mark.
     *
     *     Roles: operator, admin. Scope: `producer:read`.
     */
    get: operations['listProducerChains'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/producer/chains/{chain}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One producer chain
     * @description Roles: operator, admin. Scope: `producer:read`.
     */
    get: operations['getProducerChain'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/producer/chains/{chain}/switchover': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Switch the active region
     * @description Drains the active region (its stop hook runs, then it releases the lease) and promotes `to` (or any region but `from`) without the lock delay. The request expires after 60 s. Audited.
     *
     *     Roles: admin. Scope: `producer:write`.
     */
    post: operations['switchoverProducerChain'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/producer/chains/{chain}/key': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Import or generate the signing key
     * @description Stores the chain’s signing key sealed with the platform’s envelope encryption; the private key is never returned. Audited.
     *
     *     Roles: admin. Scope: `producer:write`.
     */
    put: operations['replaceProducerChainKey'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/producer/chains/{chain}/mark': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Export the high-water mark
     * @description Roles: operator, admin. Scope: `producer:read`.
     */
    get: operations['getProducerChainMark'];
    /**
     * Import a high-water mark
     * @description Raises the mark (after moving a validator in from another signer). A mark at or below the current one is refused (`mark_stale`). Audited.
     *
     *     Roles: admin. Scope: `producer:write`.
     */
    put: operations['replaceProducerChainMark'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchants': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your merchants
     * @description The merchants you are a member of, with your role in each.
     *
     *     Roles: user, merchant, operator, admin. Scope: `merchants:read`.
     */
    get: operations['listMerchants'];
    put?: never;
    /**
     * Create a merchant
     * @description A new merchant with you as its owner, with a live and a test mode. Owners and admins must have two-factor authentication (TOTP) on: without it every merchant route but this list answers 403 `totp_required`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `merchants:write`.
     */
    post: operations['createMerchant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchants/{merchant}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A merchant
     * @description Roles: user, merchant, operator, admin. Scope: `merchants:read`.
     */
    get: operations['getMerchant'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Rename a merchant
     * @description Owners and admins.
     *
     *     Roles: user, merchant, operator, admin. Scope: `merchants:write`.
     */
    patch: operations['updateMerchant'];
    trace?: never;
  };
  '/v1/merchants/{merchant}/fees': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Set a merchant's fees
     * @description Platform staff: basis points of each payment plus a fixed amount per pricing currency, booked to the platform revenue (fees) account.
     *
     *     Roles: operator, admin. Scope: `merchant_fees:write`.
     */
    put: operations['replaceMerchantFees'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchants/{merchant}/members': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A merchant's members
     * @description Roles: user, merchant, operator, admin. Scope: `merchants:read`.
     */
    get: operations['listMerchantMembers'];
    put?: never;
    /**
     * Add a member
     * @description Owners and admins add a platform user by email; only owners make owners.
     *
     *     Roles: user, merchant, operator, admin. Scope: `merchants:write`.
     */
    post: operations['membersMerchant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchants/{merchant}/members/{user}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove a member
     * @description Owners and admins; a merchant keeps at least one owner.
     *
     *     Roles: user, merchant, operator, admin. Scope: `merchants:write`.
     */
    delete: operations['deleteMerchantMember'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchants/{merchant}/api_keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A merchant's API keys
     * @description Roles: user, merchant, operator, admin. Scope: `merchants:read`.
     */
    get: operations['listMerchantApiKeys'];
    put?: never;
    /**
     * Create a merchant API key
     * @description A secret key for one mode (`mk_live_…` or `mk_test_…`), shown once. Test keys: owners, admins and developers; live keys: owners and admins.
     *
     *     Roles: user, merchant, operator, admin. Scope: `merchants:write`.
     */
    post: operations['apiMerchantKeys'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchants/{merchant}/api_keys/{key}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke a merchant API key
     * @description Roles: user, merchant, operator, admin. Scope: `merchants:write`.
     */
    delete: operations['deleteMerchantApiKey'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/invoices': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List invoices
     * @description The invoices of the key’s merchant and mode, newest first.
     *
     *     Roles: merchant. Scope: `invoices:read`.
     */
    get: operations['listInvoices'];
    put?: never;
    /**
     * Create an invoice
     * @description An amount in a pricing currency, payable in each accepted asset at a rate locked until the invoice expires. With a chain configured for the key’s mode, the invoice gets its own deposit address.
     *
     *     Roles: merchant. Scope: `invoices:write`.
     */
    post: operations['createInvoice'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/invoices/search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search invoices
     * @description Invoices of the key’s merchant and mode matching every filter given (id, status, amount range, creation dates, customer email, order id, deposit address, payment transaction hash, free text), newest first. Paged with `starting_after` like every list.
     *
     *     Roles: merchant. Scope: `invoices:read`.
     */
    get: operations['getInvoicesSearch'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/invoices/{invoice}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An invoice
     * @description Roles: merchant. Scope: `invoices:read`.
     */
    get: operations['getInvoice'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/invoices/{invoice}/test_payments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Simulate a payment (test mode)
     * @description Test keys only: pays the invoice (all that is due, or `amount`) with simulated money, booked at once like a wallet payment.
     *
     *     Roles: merchant. Scope: `invoices:write`.
     */
    post: operations['testInvoicePayments'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/invoices/{invoice}/refunds': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Refund a payment
     * @description Moves `amount` of `asset` from the merchant balance back to the payer: at once to their wallet for a wallet payment; to their card through the card processor for a card payment (`processing` until it answers; a refusal ends `failed` with nothing moved); for a payment received on chain, the refund waits for the payer’s address (`pending_destination`) and the answer carries a signed, single-use `link` to hand them. One payment that can cover `amount` refunds it alone (wallet payments first, then card payments, then those received on chain, the oldest first); a larger amount is split across the payments in that order, all parts booked together or none, and the answer is the first part with every part in `parts`. Never more than was paid in that asset and not yet refunded.
     *
     *     Roles: merchant. Scope: `refunds:write`.
     */
    post: operations['refundsInvoice'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/refunds': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List refunds
     * @description Roles: merchant. Scope: `refunds:read`.
     */
    get: operations['listRefunds'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/refunds/{refund}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A refund
     * @description Roles: merchant. Scope: `refunds:read`.
     */
    get: operations['getRefund'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchant_balance': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The merchant balance
     * @description What the key’s merchant account holds, per asset, net of fees and refunds.
     *
     *     Roles: merchant. Scope: `merchant_balance:read`.
     */
    get: operations['getMerchantBalance'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/checkout/invoices/{invoice}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An invoice, as its payer sees it
     * @description A live invoice by id: what is due in each asset, where to pay, its status.
     */
    get: operations['getCheckoutInvoice'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/checkout/invoices/{invoice}/pay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pay an invoice from your wallet
     * @description Pays a live invoice at once from your balance in `asset` (all that is due, or `amount` of it), at the rate locked in the invoice.
     *
     *     Roles: user, merchant, operator, admin. Scope: `checkout:write`.
     */
    post: operations['payCheckoutInvoice'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payment_links': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List payment links
     * @description Roles: merchant. Scope: `invoices:read`.
     */
    get: operations['listPaymentLinks'];
    put?: never;
    /**
     * Create a payment link
     * @description A reusable page (`url`) that makes an invoice for each visitor: a fixed `amount`, or an open one the visitor keys in; optionally at most `max_uses` invoices.
     *
     *     Roles: merchant. Scope: `invoices:write`.
     */
    post: operations['createPaymentLink'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payment_links/{link}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A payment link
     * @description Roles: merchant. Scope: `invoices:read`.
     */
    get: operations['getPaymentLink'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Update a payment link
     * @description Turn it off (`active: false`: from then on it makes no invoice) or on again, or change its description.
     *
     *     Roles: merchant. Scope: `invoices:write`.
     */
    patch: operations['updatePaymentLink'];
    trace?: never;
  };
  '/v1/pos_terminals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List point-of-sale terminals
     * @description Roles: merchant. Scope: `invoices:read`.
     */
    get: operations['listPosTerminals'];
    put?: never;
    /**
     * Create a point-of-sale terminal
     * @description A till for a shop: `url` (`/pos/{token}`) opens a page where staff key in an amount and the customer scans the QR code. The token can only make invoices for this merchant account and read them; it is shown once.
     *
     *     Roles: merchant. Scope: `invoices:write`.
     */
    post: operations['createPosTerminal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/pos_terminals/{terminal}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke a point-of-sale terminal
     * @description Its page stops working at once.
     *
     *     Roles: merchant. Scope: `invoices:write`.
     */
    delete: operations['deletePosTerminal'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/refunds/{refund}/link': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Issue a new refund link
     * @description For a refund waiting for the payer’s address: a new signed link (earlier ones stop working).
     *
     *     Roles: merchant. Scope: `refunds:write`.
     */
    post: operations['linkRefund'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/refunds/{refund}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a refund waiting for its destination
     * @description Its amount may be refunded again; its link stops working.
     *
     *     Roles: merchant. Scope: `refunds:write`.
     */
    post: operations['cancelRefund'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/refund_links/{token}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A refund, as its payer sees it through the link */
    get: operations['getRefundLink'];
    put?: never;
    /**
     * Give the address a refund is sent to
     * @description Once per link: the refund is sent on the invoice’s chain to `address` (a withdrawal from the merchant balance).
     */
    post: operations['updateRefundLink'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/settlements': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Settlement report
     * @description Per UTC day and asset over [from, to): gross paid, fees, refunds, payouts and net, from the merchant balance’s ledger entries; per asset a total with the opening and closing balance (net = closing − opening). `format=csv` answers `text/csv`.
     *
     *     Roles: merchant. Scope: `merchant_balance:read`.
     */
    get: operations['listSettlements'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/bank_payouts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List bank payouts
     * @description Roles: merchant. Scope: `payouts:read`.
     */
    get: operations['listBankPayouts'];
    put?: never;
    /**
     * Pay out the merchant balance to a bank account
     * @description Takes `amount` of a fiat `asset` from the balance at once (refused with 402 `payout_exceeds_balance` when the available balance does not cover it) and pays it to `destination` through the payout rail of the key’s mode. Above the approval limit it waits for a platform operator. Follow it with `payout.*` events.
     *
     *     Roles: merchant. Scope: `payouts:write`.
     */
    post: operations['createBankPayout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/bank_payouts/{bank_payout}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A bank payout
     * @description Roles: merchant. Scope: `payouts:read`.
     */
    get: operations['getBankPayout'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/bank_payouts/{bank_payout}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a bank payout waiting for approval
     * @description Its amount goes back to the balance.
     *
     *     Roles: merchant. Scope: `payouts:write`.
     */
    post: operations['cancelBankPayout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payout_schedules': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Payout schedules
     * @description Roles: merchant. Scope: `payouts:read`.
     */
    get: operations['listPayoutSchedules'];
    /**
     * Set the payout schedule of an asset
     * @description Each period (daily at 00:00 UTC, or weekly on `weekday`, 1 = Monday) the whole available balance of `asset` is paid out to `destination` as a bank payout, if it reaches `minimum`. `enabled: false` stops it.
     *
     *     Roles: merchant. Scope: `payouts:write`.
     */
    put: operations['replacePayoutSchedules'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/bank_payouts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Bank payouts waiting for approval
     * @description Platform operators: oldest first.
     *
     *     Roles: operator, admin. Scope: `merchant_payout_approvals:write`.
     */
    get: operations['listAdminBankPayouts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/bank_payouts/{bank_payout}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Approve a bank payout
     * @description Platform operators with TOTP on, who are not members of the merchant: the payout goes to the rail. Audited.
     *
     *     Roles: operator, admin. Scope: `merchant_payout_approvals:write`.
     */
    post: operations['approveAdminBankPayout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/bank_payouts/{bank_payout}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reject a bank payout
     * @description Platform operators with TOTP on, who are not members of the merchant: the amount goes back to the balance. Audited.
     *
     *     Roles: operator, admin. Scope: `merchant_payout_approvals:write`.
     */
    post: operations['rejectAdminBankPayout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payouts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List payouts
     * @description Roles: merchant. Scope: `payouts:read`.
     */
    get: operations['listPayouts'];
    put?: never;
    /**
     * Pay out the merchant balance on chain
     * @description Sends `amount` of `asset` from the merchant balance to `to_address` on the chain of the key’s mode. Above the chain’s approval threshold it waits for an operator.
     *
     *     Roles: merchant. Scope: `payouts:write`.
     */
    post: operations['createPayout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/payouts/{payout}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A payout
     * @description Roles: merchant. Scope: `payouts:read`.
     */
    get: operations['getPayout'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your merchants’ campaigns, newest first
     * @description The campaigns of `merchant`, or of every merchant you are a member of (a merchant API key: its own merchant’s).
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['listCampaigns'];
    put?: never;
    /**
     * Create a campaign
     * @description A schedule, a channel label, a discount rule (percentage, fixed amount or a free item; minimum spend, first order only), a target (stores, products, segment) and limits (total redemptions, budget, per customer). The campaign belongs to `merchant`: its members run it (owners, admins and developers change it, every member reads it), and its codes discount only that merchant’s stores’ goods. A merchant’s live API key runs its own merchant’s campaigns (a test key reads them).
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:write`.
     */
    post: operations['createCampaign'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One campaign, with its limits and what is used of them
     * @description Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['getCampaign'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pause or resume a campaign
     * @description Roles: user, merchant, operator, admin. Scope: `campaigns:write`.
     */
    post: operations['statusCampaign'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/codes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A campaign’s codes
     * @description Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['listCampaignCodes'];
    put?: never;
    /**
     * Add a code of your choice (a shared code such as CRICKET25)
     * @description Codes are case-insensitive and unique across the platform; dashes and spaces are ignored.
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:write`.
     */
    post: operations['codesCampaign'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/codes/generate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Generate unique codes in bulk
     * @description Random codes from an alphabet without ambiguous characters (never 0 O 1 I L 5 S 2 Z 8 B U V), of `length` characters or following `pattern` (`#` is a random character), after `prefix`. The database’s unique index guarantees no code repeats; the space must hold at least 100 times `count`. Single use unless `usage_limit` says otherwise. Up to 10,000 codes are made in the request (201); more run as a job (202 with a `code_generation` whose progress `GET /v1/campaigns/{id}/generations/{generation_id}` shows).
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:write`.
     */
    post: operations['generateCampaignCodes'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/generations/{generation_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A code generation job and its progress
     * @description Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['getCampaignGeneration'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/codes/{code}/qr': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One code as a QR image (PNG or SVG)
     * @description Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['getCampaignCodeQr'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/codes/qr': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A page of codes as QR images, in one ZIP
     * @description Up to 2000 codes a page (`limit`), batch by batch in code order; `starting_after` is the last code of the previous page (the `Next-Starting-After` header). The ZIP holds `<code>.png` (or `.svg`) per code and `codes.csv`.
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['getCampaignCodesQr'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/codes/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Every code of a campaign as CSV
     * @description Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['getCampaignCodesExport'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/{id}/analytics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Issued, redeemed, revenue, discount given and conversion
     * @description Computed from the campaign’s redemptions (one per order, with the order’s total), not from counters: `redeemed` and `revenue` count paid orders; `conversion` is paid orders over orders placed with a code.
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:read`.
     */
    get: operations['listCampaignAnalytics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/redemptions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Redeem a code for an order made outside the mall
     * @description For a shop whose orders live elsewhere (its own web shop, a point of sale): the code’s campaign must be this merchant’s (another’s answers 404 like an unknown code). The discount is computed by the campaign’s rules for an order of `order_total` (percentage, fixed amount, minimum spend, first order only, validity window) and its limits apply as at a mall checkout (per code, per customer, total redemptions, budget). A campaign that needs the order’s lines (a store or product scope, a free item) is refused with `coupon_needs_cart`. The redemption is reserved until you confirm it (paid) or release it (cancelled). The order reference makes it idempotent: the same order again with the same code, customer, currency and total answers its redemption as it stands (200, e.g. a retry after a lost answer, with or without an Idempotency-Key), another request for that order is refused (409 `redemption_exists`).
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:write`.
     */
    post: operations['createCampaignsRedemption'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/redemptions/{order_id}/confirm': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The order was paid: its redemption counts as redeemed
     * @description Idempotent. A released redemption cannot be confirmed (409).
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:write`.
     */
    post: operations['confirmCampaignsRedemption'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/campaigns/redemptions/{order_id}/release': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The order was cancelled: its redemption’s uses come back
     * @description As a cancelled mall order does: the code’s, customer’s and campaign’s uses and budget are given back. Idempotent; a confirmed redemption may be released too (a refund).
     *
     *     Roles: user, merchant, operator, admin. Scope: `campaigns:write`.
     */
    post: operations['releaseCampaignsRedemption'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/stores': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The stores of the mall (its floor plan) */
    get: operations['listStores'];
    put?: never;
    /**
     * Open a store in the mall
     * @description The store belongs to `merchant`, a merchant you manage (owner, admin or developer): its members manage the store, and its orders are paid through the merchant’s invoices. Its position is a cell of the mall’s floor plan (level, x, y) that no other store holds.
     *
     *     Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    post: operations['createStore'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/stores/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One store */
    get: operations['getStore'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Change one of your stores (only the fields given)
     * @description A manager of the store’s merchant changes its name, logo, colours, spot on the floor plan or tax; `merchant` moves it to another merchant they manage (a store opened before stores had merchants is attached this way). A spot another store holds is refused (409) and nothing changes. Every change is audited.
     *
     *     Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    patch: operations['updateStore'];
    trace?: never;
  };
  '/v1/products/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One product */
    get: operations['getProduct'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Change one of your products (only the fields given)
     * @description Changes the name, description or images, and the names and prices of the variants listed by id (a price given replaces that currency’s price; the others stay). Stock is set with `POST /v1/variants/{id}/stock`. All of it applies, or nothing. Every change is audited.
     *
     *     Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    patch: operations['updateProduct'];
    trace?: never;
  };
  '/v1/stores/{id}/products': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A store’s products, with variants, prices and what is left in stock */
    get: operations['listStoreProducts'];
    put?: never;
    /**
     * Add a product, with its variants, prices and stock, to your store
     * @description Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    post: operations['productsStore'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/variants/{id}/stock': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Set the units on hand of one of your variants
     * @description Refused (409 out_of_stock) below the units pending orders hold reserved, so a racing checkout is never oversold.
     *
     *     Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    post: operations['stockVariant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/carts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start a cart in a store
     * @description With a session or API key the cart is yours. Without, it is a guest cart: the answer carries its `secret` once; send it as `Cart-Secret` on every later call.
     */
    post: operations['createCart'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/carts/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A cart with its totals (discount and tax included)
     * @description A guest sends the cart’s secret (given once when the cart is made) in the `Cart-Secret` header; a logged-in customer’s own cart needs none.
     */
    get: operations['getCart'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/carts/{id}/items': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Set how many units of a variant the cart holds (0 removes it)
     * @description A guest sends the cart’s secret (given once when the cart is made) in the `Cart-Secret` header; a logged-in customer’s own cart needs none.
     */
    post: operations['itemsCart'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/carts/{id}/coupon': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Apply a coupon code to the cart (null removes it)
     * @description Refused with the coupon’s reason (expired, exhausted, for another store, minimum spend…) when it does not apply now; the cart is then unchanged. A guest sends the cart’s secret (given once when the cart is made) in the `Cart-Secret` header; a logged-in customer’s own cart needs none.
     */
    post: operations['couponCart'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/carts/{id}/checkout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Check out: a pending order with its units and coupon reserved
     * @description The order holds its units until it is paid or expires (`VW_COMMERCE_RESERVATION_TTL_SECONDS`). Refused with 409 `out_of_stock` (nothing reserved) when fewer units are left, or with the coupon’s reason. A cart checks out once. A guest sends the cart’s secret (given once when the cart is made) in the `Cart-Secret` header; a logged-in customer’s own cart needs none.
     */
    post: operations['checkoutCart'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your orders as a buyer, newest first
     * @description Roles: user, merchant, operator, admin. Scope: `commerce:read`.
     */
    get: operations['listOrders'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/merchant/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Orders of your merchants’ stores, newest first
     * @description The orders of every merchant you are a member of. Filter by `merchant`, `store_id` and `status` (pending, paid, fulfilled, cancelled, refunded).
     *
     *     Roles: user, merchant, operator, admin. Scope: `commerce:read`.
     */
    get: operations['listMerchantOrders'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/orders/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One order (its buyer, its merchant, or the guest holding its cart’s secret) */
    get: operations['getOrder'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/orders/{id}/pay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Pay a pending order from your wallet
     * @description Pays the order’s merchant invoice in full from your wallet balance (wallet limits apply); the paid invoice marks the order paid and takes its units out of stock. The same invoice can be paid on its hosted checkout page (`/pay/{invoice_id}`). A guest order is paid by a logged-in customer holding its cart’s secret, who becomes its buyer. Paying a paid order again answers it.
     *
     *     Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    post: operations['payOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/orders/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel a pending order: its units and coupon use are released */
    post: operations['cancelOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/orders/{id}/fulfil': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Mark one of your stores’ paid orders fulfilled
     * @description Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    post: operations['fulfilOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/orders/{id}/refund': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Refund one of your stores’ paid orders: each payment to its invoice is refunded in full (through the merchant’s refunds); its coupon use comes back
     * @description Roles: user, merchant, operator, admin. Scope: `commerce:write`.
     */
    post: operations['refundOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    AuditEvent: {
      /** @example aud_01JD7Q4Z8R3M5N6P7Q8R9S0T1V */
      id: string;
      /** @enum {string} */
      object: 'audit_event';
      /**
       * @description Position in the chain (decimal string)
       * @example 42
       */
      seq: string;
      /** Format: date-time */
      occurred_at: string;
      /** @example api_key.revoked */
      action: string;
      actor: {
        /** @enum {string} */
        type: 'user' | 'system' | 'anonymous';
        id: string | null;
        credential_id: string | null;
      };
      target: {
        type: string | null;
        id: string | null;
      };
      ip: string | null;
      request_id: string | null;
      data: {
        [key: string]: unknown;
      };
      prev_hash: string;
      /** @description SHA-256 over prev_hash and this event */
      hash: string;
    };
    Error: {
      error: {
        /**
         * @example invalid_request_error
         * @enum {string}
         */
        type:
          | 'invalid_request_error'
          | 'authentication_error'
          | 'permission_error'
          | 'not_found_error'
          | 'conflict_error'
          | 'idempotency_error'
          | 'rate_limit_error'
          | 'api_error';
        /** @example parameter_invalid */
        code: string;
        /** @example email: Invalid email address */
        message: string;
        /** @example email */
        param?: string;
      };
    };
    AuditAnchorStatus: {
      /** @enum {string} */
      object: 'audit_anchor_status';
      /** @description False when no sink is configured (`VW_AUDIT_ANCHOR_FILE`, `VW_AUDIT_ANCHOR_URL`) */
      enabled: boolean;
      /** @description The configured sinks */
      sinks: ('file' | 'url')[];
      /** @description The last anchor taken, as exported (null before the first). Read from the database, so every process shows the anchor writer’s work. */
      last: {
        /** @description Chain position anchored (decimal string) */
        seq: string;
        /** @description Hash of the event at `seq` */
        hash: string;
        /** Format: date-time */
        occurred_at: string;
        /** Format: date-time */
        anchored_at: string;
        /** @description Names the anchor key (not the key) */
        key_id: string;
        hmac: string;
        /** @description Sinks that have taken this anchor */
        sinks: string[];
      } | null;
      /** @description Configured sinks that have not taken the last anchor yet (refusing it, or added since); it is offered to them again every interval. */
      sinks_behind: ('file' | 'url')[];
    };
    Notification: {
      /** @example ntf_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'notification';
      /** @example webhook_endpoint.disabled */
      type: string;
      subject: string;
      /** @description What happened, why, and what to do */
      text: string;
      data: {
        [key: string]: unknown;
      };
      /** @description When it was emailed to you; null when email is not set up */
      emailed_at: string | null;
      created_at: string;
    };
    Queues: {
      /** @enum {string} */
      object: 'queues';
      queues: components['schemas']['QueueDepth'][];
      outbox: {
        /** @description Events not yet relayed to subscribers */
        pending: number;
        oldest_age_seconds: number;
      };
    };
    QueueDepth: {
      /** @example outbox.webhooks.platform */
      queue: string;
      /**
       * @description `scheduled`: queued but not due yet
       * @enum {string}
       */
      state: 'queued' | 'scheduled' | 'running' | 'dead';
      count: number;
      /** @description Age of the oldest due job (queued) */
      oldest_age_seconds: number;
    };
    Job: {
      /** @enum {string} */
      object: 'job';
      /** @example job_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      queue: string;
      /** @enum {string} */
      state: 'queued' | 'running' | 'done' | 'dead';
      attempts: number;
      max_attempts: number;
      /** @description What went wrong on the last attempt: the error message (one line) */
      last_error: string | null;
      /** @description Where it went wrong: the stack frames, one per line, with file locations relative to the install (never absolute paths). Only for callers with the `jobs:write` scope (who can retry the job); null for others and for errors without a stack. */
      last_error_trace: string | null;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      updated_at: string;
    };
    User: {
      /** @example usr_01JD7Q4Z8R3M5N6P7Q8R9S0T1V */
      id: string;
      /** @enum {string} */
      object: 'user';
      email: string;
      handle: string | null;
      /**
       * @description Role
       * @example user
       * @enum {string}
       */
      role: 'user' | 'merchant' | 'operator' | 'admin';
      /** @description Two-factor authentication is on */
      totp_enabled: boolean;
      /**
       * Format: date-time
       * @description When the user signed up
       * @example 2025-01-31T12:00:00.000Z
       */
      created_at: string;
    };
    SignUpRequest: {
      /**
       * Format: email
       * @description Email address (case does not matter)
       * @example ada@example.com
       */
      email: string;
      /**
       * @description At least 12 characters; not your email address
       * @example correct horse battery staple
       */
      password: string;
      /**
       * @description Public handle for payments, unique, stored lower-case
       * @example ada
       */
      handle?: string;
    };
    ChangeRoleRequest: {
      /**
       * @description Role
       * @example user
       * @enum {string}
       */
      role: 'user' | 'merchant' | 'operator' | 'admin';
    };
    CreatedSession: {
      id: string;
      /** @enum {string} */
      object: 'session';
      /** @description Bearer token (`vws_…`). Shown only in this response; send it as `Authorization: Bearer <token>` */
      token: string;
      /**
       * Format: date-time
       * @description When the token stops working
       * @example 2025-01-31T12:00:00.000Z
       */
      expires_at: string;
      user: components['schemas']['User'];
    };
    LogInRequest: {
      /**
       * Format: email
       * @description Email address (case does not matter)
       * @example ada@example.com
       */
      email: string;
      /**
       * @description Your password
       * @example correct horse battery staple
       */
      password: string;
      /**
       * @description Current 6-digit code from the authenticator app
       * @example 123456
       */
      totp_code?: string;
      /**
       * @description A single-use recovery code
       * @example abcd-efgh-jkmn-pqrs
       */
      recovery_code?: string;
    };
    Session: {
      /** @example ses_01JD7Q4Z8R3M5N6P7Q8R9S0T1V */
      id: string;
      /** @enum {string} */
      object: 'session';
      /**
       * Format: date-time
       * @description When the session was opened
       * @example 2025-01-31T12:00:00.000Z
       */
      created_at: string;
      /**
       * Format: date-time
       * @description When the token stops working
       * @example 2025-01-31T12:00:00.000Z
       */
      expires_at: string;
      /**
       * Format: date-time
       * @description Last use, to the minute
       * @example 2025-01-31T12:00:00.000Z
       */
      last_used_at: string | null;
      ip: string | null;
      user_agent: string | null;
      /** @description The session making this request */
      current: boolean;
    };
    UpdateMeRequest: {
      /**
       * @description Public handle for payments, unique, stored lower-case
       * @example ada
       */
      handle: string;
    };
    PasswordChange: {
      /** @enum {string} */
      object: 'password_change';
      user: components['schemas']['User'];
      /** @description Other sessions signed out */
      revoked_sessions: number;
    };
    ChangePasswordRequest: {
      /**
       * @description Your current password
       * @example correct horse battery staple
       */
      current_password: string;
      /**
       * @description At least 12 characters; not your email address
       * @example correct horse battery staple
       */
      new_password: string;
    };
    TotpEnrolment: {
      /** @enum {string} */
      object: 'totp_enrolment';
      /** @description Base32 secret for manual entry; null on an idempotent replay (never stored in clear) */
      secret: string | null;
      /** @description otpauth:// URI to show as a QR code; null on an idempotent replay */
      otpauth_uri: string | null;
    };
    TotpStatus: {
      /** @enum {string} */
      object: 'totp';
      enabled: boolean;
      /** @description Single-use codes for when the authenticator is lost. Shown only when TOTP is turned on; null on an idempotent replay */
      recovery_codes: string[] | null;
    };
    TotpConfirmRequest: {
      /**
       * @description Current 6-digit code from the authenticator app
       * @example 123456
       */
      code: string;
    };
    TotpDisableRequest: {
      /**
       * @description Current 6-digit code from the authenticator app
       * @example 123456
       */
      code?: string;
      /**
       * @description A single-use recovery code
       * @example abcd-efgh-jkmn-pqrs
       */
      recovery_code?: string;
    };
    ScopeList: {
      /** @enum {string} */
      object: 'list';
      data: {
        scope: string;
        description: string;
      }[];
    };
    CreatedApiKey: components['schemas']['ApiKey'] & {
      /** @description The API key (`vwk_…`), shown only in this response. A replay of the request (same Idempotency-Key) answers null here: the secret is never stored. */
      secret: string | null;
    };
    ApiKey: {
      /** @example key_01JD7Q4Z8R3M5N6P7Q8R9S0T1V */
      id: string;
      /** @enum {string} */
      object: 'api_key';
      user_id: string;
      name: string;
      /**
       * @description The key with its secret part hidden, to recognise it
       * @example vwk_…x9Qa
       */
      redacted_key: string;
      /**
       * @example [
       *       "profile:read"
       *     ]
       */
      scopes: string[];
      /** @enum {string} */
      status: 'active' | 'revoked' | 'expired';
      /**
       * Format: date-time
       * @description When the key was created
       * @example 2025-01-31T12:00:00.000Z
       */
      created_at: string;
      /**
       * Format: date-time
       * @description When the key stops working; null: never
       * @example 2025-01-31T12:00:00.000Z
       */
      expires_at: string | null;
      /**
       * Format: date-time
       * @description Last use, to the minute
       * @example 2025-01-31T12:00:00.000Z
       */
      last_used_at: string | null;
      /**
       * Format: date-time
       * @description When the key was revoked
       * @example 2025-01-31T12:00:00.000Z
       */
      revoked_at: string | null;
    };
    CreateApiKeyRequest: {
      /**
       * @description What the key is for
       * @example billing export
       */
      name: string;
      /**
       * @description Scopes the key holds (`*` for all), see GET /v1/scopes
       * @example [
       *       "profile:read"
       *     ]
       */
      scopes: string[];
      /**
       * Format: date-time
       * @description When the key stops working (default: never)
       */
      expires_at?: string;
    };
    ChainStatus: {
      /** @enum {string} */
      object: 'chain';
      chain: string;
      chain_id: number;
      /** @enum {string} */
      state: 'running' | 'halted' | 'not_started';
      /** @description Last block processed */
      cursor: string | null;
      /** @description Highest confirmed block; null while the head is below the confirmation depth */
      confirmed: string | null;
      /** @description The node's head at the last poll */
      head: string | null;
      lag: string | null;
      halt_reason: string | null;
      updated_at: string | null;
      /** @description Operators only */
      follower_holder?: string | null;
      /** @description Operators only */
      endpoints?: {
        url: string;
        healthy: boolean;
        /** @description Banned by node operations (out of consensus): gets no requests */
        banned: boolean;
        consecutive_failures: number;
        last_error: string | null;
        latency_ms: number | null;
      }[];
      /** @description Operators only: the address withdrawals are sent from (fund it) */
      hot_wallet?: string | null;
      /** @description Operators only: the nonce manager against the node */
      sender?: {
        next_nonce: string;
        chain_nonce: string | null;
        /** @description Why the sender cannot make progress (a nonce gap it cannot fill) */
        stuck: string | null;
        checked_at: string | null;
      } | null;
      /** @description Operators only: credited deposits a reorg removed, waiting for re-inclusion or reversal */
      reorged_after_credit?: {
        count: number;
        on_hold: number;
      };
    };
    DepositAddress: {
      /** @enum {string} */
      object: 'deposit_address';
      chain: string;
      asset: string;
      /** @example 0x8ba1f109551bd432803012645ac136ddd64dba72 */
      address: string;
    };
    Deposit: {
      /** @example dep_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'deposit';
      /** @enum {string} */
      status:
        'pending' | 'confirmed' | 'credit_failed' | 'removed' | 'reorged_after_credit' | 'reversed';
      chain: string;
      asset: string;
      amount: string;
      address: string;
      from_address: string | null;
      tx_hash: string;
      block_number: string;
      block_hash: string;
      event_id: string;
      confirmations_required: number;
      user_id: string;
      created_at: string;
      confirmed_at: string | null;
      removed_at: string | null;
      /** @description The credit is held (not spendable) while its transfer is off the chain */
      on_hold: boolean;
      hold_error: string | null;
      /** @description Times a reorg moved the transfer to another block */
      reincluded: number;
      reversed_at: string | null;
      reversal_reason: string | null;
    };
    Withdrawal: {
      /** @example wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'withdrawal';
      /** @enum {string} */
      status:
        | 'pending_approval'
        | 'queued'
        | 'signed'
        | 'broadcast'
        | 'confirmed'
        | 'failed'
        | 'rejected'
        | 'completed';
      chain: string;
      asset: string;
      amount: string;
      to_address: string;
      /** @description Settled inside Vaultwire (to another user) */
      internal: boolean;
      tx_hash: string | null;
      nonce: string | null;
      block_number: string | null;
      failure_reason: string | null;
      user_id: string;
      created_at: string;
      updated_at: string;
      finished_at: string | null;
    };
    WalletProfile: {
      /** @enum {string} */
      object: 'wallet_profile';
      user_id: string;
      /** @enum {string} */
      tier: 'unverified' | 'verified' | 'enhanced';
      frozen: boolean;
      frozen_reason: string | null;
      /** @example 2025-01-15T10:30:00.000Z */
      frozen_at: string | null;
      limits?: {
        per_hour: number;
        used_this_hour: number;
        assets: {
          asset: string;
          per_transaction: string;
          daily: string;
          used_today: string;
        }[];
      };
      balances?: components['schemas']['Balance'][];
    };
    Balance: {
      /** @enum {string} */
      object: 'balance';
      asset: string;
      /** @enum {string} */
      kind: 'fiat' | 'crypto';
      /** @description Spendable now */
      available: string;
      /** @description Reserved by pending withdrawals */
      held: string;
      /** @description Settled: available + held */
      total: string;
      /** @description Pending incoming, not yet spendable */
      incoming: string;
    };
    Activity: {
      /** @example act_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'activity';
      /** @enum {string} */
      type: 'payment' | 'trade' | 'fiat_deposit' | 'fiat_withdrawal' | 'adjustment';
      asset: string;
      /**
       * @description Signed: + in, − out
       * @example -12.50
       */
      amount: string;
      reference_id: string;
      counterparty_user_id: string | null;
      /**
       * @description The other person of a payment (sent, received or a paid request) by handle; null when there is no other person or they have no handle
       * @example bob
       */
      counterparty_handle: string | null;
      description: string | null;
      ledger_transaction_id: string;
      /** @example 2025-01-15T10:30:00.000Z */
      occurred_at: string;
    };
    Asset: {
      /** @enum {string} */
      object: 'asset';
      code: string;
      /** @enum {string} */
      kind: 'fiat' | 'crypto';
      scale: number;
      name: string;
    };
    Payment: {
      /** @example pay_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'payment';
      from_user_id: string;
      to_user_id: string;
      asset: string;
      amount: string;
      note: string | null;
      payment_request_id: string | null;
      ledger_transaction_id: string;
      /** @example 2025-01-15T10:30:00.000Z */
      created_at: string;
    };
    PaymentRequest: {
      /** @example prq_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'payment_request';
      requester_user_id: string;
      /**
       * @description Who asks, by handle (null: they have none)
       * @example carol
       */
      requester_handle: string | null;
      payer_user_id: string;
      /**
       * @description Who is asked to pay, by handle (null: they have none)
       * @example bob
       */
      payer_handle: string | null;
      asset: string;
      amount: string;
      note: string | null;
      /** @enum {string} */
      status: 'pending' | 'paid' | 'declined' | 'cancelled';
      payment_id: string | null;
      /** @example 2025-01-15T10:30:00.000Z */
      created_at: string;
      /** @example 2025-01-15T10:30:00.000Z */
      resolved_at: string | null;
      payment?: components['schemas']['Payment'] & unknown;
    };
    Quote: {
      /** @example quo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'quote';
      /** @enum {string} */
      side: 'buy' | 'sell' | 'convert';
      /** @enum {string} */
      mode: 'spend' | 'receive';
      from_asset: string;
      to_asset: string;
      /** @description Total you pay, fee included */
      spend_amount: string;
      /** @description What you receive; never more is paid */
      receive_amount: string;
      fee_amount: string;
      fee_asset: string;
      /** @example BTC-USD */
      price_pair: string;
      /**
       * @description Your price, spread included
       * @example 65325
       */
      price: string;
      mid_price: string;
      spread_bps: number;
      fee_bps: number;
      price_source: string;
      /** @example 2025-01-15T10:30:00.000Z */
      price_observed_at: string;
      /** @enum {string} */
      status: 'open' | 'executed' | 'expired';
      trade_id: string;
      ledger_transaction_id: string | null;
      /** @example 2025-01-15T10:30:00.000Z */
      created_at: string;
      /** @example 2025-01-15T10:30:00.000Z */
      expires_at: string;
      /** @example 2025-01-15T10:30:00.000Z */
      executed_at: string | null;
    };
    QuoteRequest: {
      /**
       * @description Asset you spend
       * @example USD
       */
      from: string;
      /**
       * @description Asset you receive
       * @example BTC
       */
      to: string;
      /**
       * @description Total to spend, fee included (or give receive_amount)
       * @example 12.50
       */
      spend_amount?: string;
      /**
       * @description Exact amount to receive (or give spend_amount)
       * @example 0.001
       */
      receive_amount?: string;
    };
    Trade: {
      /** @example trd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'trade';
      quote_id: string;
      user_id: string;
      /** @enum {string} */
      side: 'buy' | 'sell' | 'convert';
      from_asset: string;
      to_asset: string;
      spend_amount: string;
      receive_amount: string;
      fee_amount: string;
      fee_asset: string;
      price_pair: string;
      price: string;
      ledger_transaction_id: string | null;
      /** @example 2025-01-15T10:30:00.000Z */
      executed_at: string | null;
    };
    FiatDeposit: {
      /** @example fdp_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'fiat_deposit';
      user_id: string;
      asset: string;
      amount: string;
      rail: string;
      rail_reference: string | null;
      /** @enum {string} */
      status: 'pending' | 'settled' | 'failed';
      failure_reason: string | null;
      ledger_transaction_id: string | null;
      /** @example 2025-01-15T10:30:00.000Z */
      created_at: string;
      /** @example 2025-01-15T10:30:00.000Z */
      finished_at: string | null;
    };
    FiatWithdrawal: {
      /** @example fwd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'fiat_withdrawal';
      user_id: string;
      asset: string;
      amount: string;
      destination: string;
      rail: string;
      rail_reference: string | null;
      /** @enum {string} */
      status: 'pending' | 'completed' | 'failed';
      failure_reason: string | null;
      ledger_hold_id: string;
      ledger_transaction_id: string | null;
      /** @example 2025-01-15T10:30:00.000Z */
      created_at: string;
      /** @example 2025-01-15T10:30:00.000Z */
      finished_at: string | null;
    };
    Adjustment: {
      /** @example adj_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'adjustment';
      user_id: string;
      asset: string;
      /** @enum {string} */
      direction: 'credit' | 'debit';
      amount: string;
      reason: string;
      actor_id: string;
      ledger_transaction_id: string;
      /** @example 2025-01-15T10:30:00.000Z */
      created_at: string;
    };
    EventType: {
      /** @enum {string} */
      object: 'event_type';
      type: string;
      source: string;
      description: string;
      payload: string;
      /** @enum {string} */
      audience: 'owners' | 'owners_and_operators' | 'subscribers' | 'endpoint';
    };
    WebhookEndpoint: {
      /** @example whe_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'webhook_endpoint';
      url: string;
      description: string | null;
      event_types: string[];
      /** @enum {string} */
      status: 'active' | 'paused' | 'disabled';
      /** @description Why it is disabled: by its owner, a 410 Gone, or every delivery failing for too long */
      disabled_reason: string | null;
      disabled_at: string | null;
      ordered: boolean;
      rate_limit_per_sec: number | null;
      max_in_flight: number | null;
      failing_since: string | null;
      last_success_at: string | null;
      created_at: string;
      updated_at: string;
    };
    /** @enum {string} */
    WebhookEventType:
      | 'address.activity'
      | 'contract.log'
      | 'block.new'
      | 'tx.mined'
      | 'tx.dropped'
      | 'webhook.ping'
      | 'webhook.endpoint.disabled'
      | 'webhook.*'
      | '*';
    WebhookMessage: {
      /** @description The `webhook-id` header: stable across retries */
      id: string;
      /** @enum {string} */
      object: 'webhook_message';
      endpoint_id: string;
      event_id: string;
      event_type: string;
      chain: string | null;
      block_number: string | null;
      /**
       * @description `skipped`: recorded while the endpoint was disabled, not attempted (see /recover)
       * @enum {string}
       */
      state: 'pending' | 'queued' | 'delivering' | 'delivered' | 'failed' | 'skipped';
      attempts: number;
      next_attempt_at: string | null;
      last_status: number | null;
      last_error: string | null;
      created_at: string;
      delivered_at: string | null;
      payload?: unknown;
    };
    WebhookAttempt: {
      id: string;
      /** @enum {string} */
      object: 'webhook_attempt';
      message_id: string;
      attempt: number;
      outcome: string;
      status_code: number | null;
      latency_ms: number | null;
      response_excerpt: string | null;
      error: string | null;
      created_at: string;
    };
    WebhookSubscription: {
      /** @example wsub_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'webhook_subscription';
      endpoint_id: string;
      /** @enum {string} */
      kind: 'address_activity' | 'contract_log' | 'new_block' | 'transaction';
      chain: string;
      filter: {
        [key: string]: unknown;
      };
      item_count: number;
      /** @description contract_log: the first block counted, when one was given */
      from_block?: string;
      created_at: string;
      updated_at: string;
      /** @description Present when this call started a backfill (addresses added with a `from_block` the follower had passed, or a `contract_log` subscription with a `from_block`); see /backfills */
      backfill_id?: string;
    };
    WebhookBackfill: {
      /** @example wbf_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'webhook_backfill';
      subscription_id: string;
      chain: string;
      address_count: number;
      from_block: string;
      /** @description The confirmed height when the backfill started; null before */
      to_block: string | null;
      /** @description The first block not scanned yet */
      next_block: string;
      /** @enum {string} */
      state: 'queued' | 'running' | 'done' | 'failed';
      /** @description Messages created (events already delivered live are not created twice) */
      messages: number;
      last_error: string | null;
      created_at: string;
      finished_at: string | null;
    };
    NodeopsChain: {
      /** @enum {string} */
      object: 'nodeops_chain';
      key: string;
      /** @enum {string} */
      family: 'cometbft' | 'evm' | 'eos' | 'xrpl';
      references: string[];
      lcd_url: string | null;
      release_feed: string | null;
      thresholds: {
        [key: string]: number;
      };
      /** @enum {string} */
      source: 'config' | 'api';
      created_at: string;
    };
    NodeopsNode: {
      /** @example nod_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'nodeops_node';
      name: string;
      chain: string;
      region: string;
      /** @enum {string} */
      role: 'validator' | 'sentry' | 'rpc';
      url: string;
      validator_address: string | null;
      producer_name: string | null;
      /** @enum {string} */
      source: 'config' | 'api';
      height: number | null;
      lag: number | null;
      peers: number | null;
      version: string | null;
      /** @description `ok`, or the firing checks joined by commas; `unknown` before the first poll */
      state: string;
      checked_at: string | null;
      out_of_consensus_since: string | null;
      banned: boolean;
      banned_at: string | null;
      ban_reason: string | null;
      /** @description `auto` or the operator’s user id */
      banned_by: string | null;
      last_alert: {
        id: string;
        kind: string;
        status: string;
        opened_at: string;
      } | null;
      created_at: string;
    };
    NodeopsAlert: {
      /** @example nal_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'nodeops_alert';
      /** @description The node, for a node check */
      node_id: string | null;
      node: string | null;
      /** @description The monitor, for a backup, uptime or heartbeat check */
      monitor_id: string | null;
      monitor: string | null;
      /** @description The chain whose block producer the alert is about (a refused double-sign attempt, a failover) */
      producer_chain: string | null;
      chain: string | null;
      region: string | null;
      kind: string;
      /** @enum {string} */
      severity: 'warning' | 'critical';
      /** @enum {string} */
      status: 'firing' | 'acknowledged' | 'resolved';
      summary: string;
      details: {
        [key: string]: unknown;
      };
      opened_at: string;
      acknowledged_at: string | null;
      acknowledged_by: string | null;
      silenced_until: string | null;
      resolved_at: string | null;
    };
    NodeopsChannel: {
      /** @example nch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'nodeops_channel';
      name: string;
      /** @enum {string} */
      kind: 'telegram' | 'slack' | 'email' | 'pagerduty';
      /** @description What is safe to show; the secret (token, webhook URL, routing key) never is */
      settings: {
        [key: string]: unknown;
      };
      /** @enum {string} */
      min_severity: 'warning' | 'critical';
      chains: string[];
      /** @enum {string} */
      source: 'config' | 'api';
      created_at: string;
    };
    NodeopsMonitor: {
      /** @example nmo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
      id: string;
      /** @enum {string} */
      object: 'nodeops_monitor';
      name: string;
      /** @enum {string} */
      kind: 'backup' | 'http' | 'push';
      chain: string | null;
      region: string | null;
      settings: {
        [key: string]: unknown;
      };
      /** @description `ok`, the firing checks joined by commas (`backup_stale`, `down`, `slow`, `cert_expiring`, `heartbeat_missed`), or `unknown` */
      state: string;
      checked_at: string | null;
      /** @description The last check: newest_at, age_seconds, height, status, latency_ms, cert_expires_at, error */
      last: {
        [key: string]: unknown;
      } | null;
      last_push_at: string | null;
      /** @enum {string} */
      source: 'config' | 'api';
      created_at: string;
    };
    NodeopsBackups: {
      chain: string | null;
      freshest: {
        region: string;
        monitor: string;
        newest_at: string | null;
        age_seconds: number | null;
        height: number | null;
        max_age_seconds: number;
        stale: boolean;
        stale_since: string | null;
        checked_at: string | null;
      } | null;
      regions: {
        region: string;
        monitor: string;
        newest_at: string | null;
        age_seconds: number | null;
        height: number | null;
        max_age_seconds: number;
        stale: boolean;
        stale_since: string | null;
        checked_at: string | null;
      }[];
    };
    ProducerSignature: {
      /** @enum {string} */
      object: 'producer_signature';
      chain: string;
      height: string;
      round: number;
      step: number;
      block_id: string;
      /** @description base64 */
      signature: string;
      /** @description base64 of the bytes signed: the request’s, or on a repeat those signed the first time (a CometBFT vote repeated with a new timestamp gets the first one back) */
      signed_bytes: string;
      repeat: boolean;
      region: string;
    };
    ProducerSignRequest: {
      /** @description The bytes to sign, base64: CometBFT canonical vote/proposal sign bytes for a `cometbft` chain (height, round, step and block id are read from them), the payload for a `raw` chain */
      sign_bytes: string;
      height?: string;
      round?: number;
      step?: number;
      /** @description `<hash hex>:<parts total>:<parts hash hex>`, or empty for nil */
      block_id?: string;
    };
    ProducerChain: {
      /** @enum {string} */
      object: 'producer_chain';
      chain: string;
      /** @enum {string} */
      algorithm: 'ed25519' | 'secp256k1';
      /** @enum {string} */
      format: 'cometbft' | 'raw';
      public_key: string | null;
      region: string | null;
      active_region: string | null;
      local_state: string | null;
      safe_for_ms: number | null;
      mark: components['schemas']['ProducerMark'];
      /** @description Each region’s health as the node-ops checks see it (what health-driven failover decides on); null without node-ops data */
      regions: components['schemas']['ProducerRegionHealth'][] | null;
    };
    ProducerMark: {
      height: string;
      round: number;
      step: number;
      block_id: string;
      region: string;
      at: string;
    } | null;
    ProducerRegionHealth: {
      region: string;
      /**
       * @description From the node-ops checks of the region’s validator nodes; unknown: none watched, or the checks are stale
       * @enum {string}
       */
      state: 'healthy' | 'unhealthy' | 'unknown';
      in_consensus: boolean | null;
      /** @description Every validator node of the region not banned is unreachable */
      down: boolean | null;
      /** @description Every validator node of the region is banned: never made active */
      banned: boolean;
      /** @example stalled,lagging */
      reason: string | null;
      out_of_consensus_since: string | null;
      /** @description Last time a check found the region in consensus */
      last_healthy_at: string | null;
      /** @description Newest check of its validator nodes */
      checked_at: string | null;
    };
    ProducerSwitchover: {
      /** @enum {string} */
      object: 'producer_switchover';
      chain: string;
      to: string | null;
      from: string | null;
      expires_at: string;
    };
    ProducerSwitchoverRequest: {
      /** @description Region to promote */
      to?: string;
      /** @description Region to drain */
      from?: string;
    };
    ProducerKey: {
      /** @enum {string} */
      object: 'producer_key';
      chain: string;
      /** @enum {string} */
      algorithm: 'ed25519' | 'secp256k1';
      public_key: string;
    };
    ProducerKeyRequest: {
      /** @description 32 bytes, hex, to import; without it a key is generated */
      private_key?: string;
    };
    ProducerMarkInterchange: {
      /** @enum {string} */
      format: 'vaultwire.producer.mark.v1';
      chain: string;
      public_key?: string;
      mark: {
        height: string;
        round: number;
        step: number;
        block_id?: string;
      };
    };
    Merchant: {
      /** @enum {string} */
      object: 'merchant';
      id: string;
      name: string;
      /**
       * @description Your role in it
       * @enum {string}
       */
      role?: 'owner' | 'admin' | 'developer' | 'support' | 'viewer';
      fees: {
        bps: number;
        fixed: {
          [key: string]: string;
        };
      };
      created_at: string;
    };
    MerchantMember: {
      /** @enum {string} */
      object: 'merchant_member';
      merchant: string;
      user: string;
      /** @enum {string} */
      role: 'owner' | 'admin' | 'developer' | 'support' | 'viewer';
      created_at: string;
    };
    MerchantApiKey: {
      /** @enum {string} */
      object: 'merchant_api_key';
      id: string;
      merchant: string;
      name: string;
      livemode: boolean;
      /** @description The last 4 characters of the token */
      hint: string;
      scopes: string[];
      created_by: string;
      created_at: string;
      revoked_at: string | null;
    };
    Invoice: {
      /** @enum {string} */
      object: 'invoice';
      id: string;
      livemode: boolean;
      /** @enum {string} */
      status: 'open' | 'processing' | 'paid' | 'overpaid' | 'paid_late' | 'underpaid' | 'expired';
      currency: string;
      amount: string;
      /** @description Confirmed payments, valued in `currency` at the locked rates */
      amount_paid: string;
      /** @description Seen on chain, not yet confirmed */
      amount_pending: string;
      description: string | null;
      order_id: string | null;
      customer_email: string | null;
      redirect_url: string | null;
      metadata: {
        [key: string]: string;
      };
      expires_at: string;
      paid_at: string | null;
      created_at: string;
      /** @description The hosted payment page (a path on this server) */
      checkout_url: string;
      payment_link: string | null;
      pos_terminal: string | null;
      payment_options: {
        asset: string;
        /** @description The whole invoice in this asset */
        amount_due: string;
        amount_paid: string;
        /** @description `currency` per unit of `asset`, locked */
        rate: string;
        chain: string | null;
        address: string | null;
        /** @description EIP-681 */
        payment_uri: string | null;
      }[];
      payments: {
        id: string;
        asset: string;
        amount: string;
        /** @enum {string} */
        method: 'wallet' | 'chain' | 'test' | 'card';
        /**
         * @description `removed`: reorged out; `failed`: a card the processor refused
         * @enum {string}
         */
        status: 'pending' | 'confirmed' | 'removed' | 'failed';
        fee: string;
        refunded: string;
        late: boolean;
        tx_hash: string | null;
        /** @description Card payments: the brand and last four digits (never the number) */
        card: {
          brand: string;
          last4: string;
        } | null;
        /** @description Why a card payment failed (`card_declined`, `insufficient_funds`, …) */
        failure_code: string | null;
        created_at: string;
        confirmed_at: string | null;
      }[];
    };
    Refund: components['schemas']['RefundPart'] & {
      /** @description Only in the answer creating a refund no single payment could cover: every part it was split into (this one first), each a refund of its own payment with its own status */
      parts: components['schemas']['RefundPart'][] | null;
    };
    RefundPart: {
      /** @enum {string} */
      object: 'refund';
      id: string;
      livemode: boolean;
      invoice: string;
      payment: string;
      asset: string;
      amount: string;
      /**
       * @description A refund to a wallet is `succeeded` at once. A refund of a card payment is `processing` until the card processor answers, then `succeeded`, or `failed` with the booking reversed (the amount may be refunded again). A refund of a payment received on chain waits for the payer’s address (`pending_destination`, see `link`), is then sent (`processing`) and ends `succeeded` or `failed` (the amount may be refunded again); the merchant may cancel it while it waits.
       * @enum {string}
       */
      status: 'pending_destination' | 'processing' | 'succeeded' | 'failed' | 'canceled';
      reason: string | null;
      chain: string | null;
      destination_address: string | null;
      /** @description The withdrawal (`wd_…`) that sends it on chain */
      withdrawal: string | null;
      failure_reason: string | null;
      /** @description Refunds of card payments: the card processor’s refund (`re_…`) */
      card_refund: string | null;
      /** @description A part of a refund split across the invoice’s payments: the id of its first part, the same on every part (null: the refund comes from one payment) */
      split: string | null;
      /** @description Only in the answers that issue it (creating the refund, `POST /v1/refunds/{refund}/link`): a signed, single-use link for the payer; earlier links stop working when a new one is issued. */
      link: {
        /** @description Path of the page where the payer gives the address (prefix your host) */
        url: string;
        token: string;
        expires_at: string;
      } | null;
      link_expires_at: string | null;
      created_at: string;
    };
    MerchantBalance: {
      /** @enum {string} */
      object: 'merchant_balance';
      livemode: boolean;
      balances: {
        asset: string;
        available: string;
        pending: string;
      }[];
    };
    PaymentLink: {
      /** @enum {string} */
      object: 'payment_link';
      id: string;
      livemode: boolean;
      /** @description The page visitors open (a path on this server) */
      url: string;
      currency: string;
      /** @description Fixed amount; null: the visitor keys in the amount */
      amount: string | null;
      assets: string[] | null;
      description: string | null;
      max_uses: number | null;
      uses: number;
      active: boolean;
      expires_in_seconds: number;
      created_at: string;
    };
    PosTerminal: {
      /** @enum {string} */
      object: 'pos_terminal';
      id: string;
      livemode: boolean;
      name: string;
      currency: string;
      assets: string[] | null;
      /** @description The last 4 characters of the token */
      hint: string;
      created_at: string;
      revoked_at: string | null;
    };
    RefundLink: {
      /** @enum {string} */
      object: 'refund_link';
      refund: string;
      /** @description The merchant’s name */
      merchant: string;
      asset: string;
      amount: string;
      chain: string | null;
      /**
       * @description A refund to a wallet is `succeeded` at once. A refund of a card payment is `processing` until the card processor answers, then `succeeded`, or `failed` with the booking reversed (the amount may be refunded again). A refund of a payment received on chain waits for the payer’s address (`pending_destination`, see `link`), is then sent (`processing`) and ends `succeeded` or `failed` (the amount may be refunded again); the merchant may cancel it while it waits.
       * @enum {string}
       */
      status: 'pending_destination' | 'processing' | 'succeeded' | 'failed' | 'canceled';
      /** @description Whether an address can still be given */
      open: boolean;
      destination_address: string | null;
      expires_at: string | null;
    };
    SettlementReport: {
      /** @enum {string} */
      object: 'settlement_report';
      from: string;
      to: string;
      days: {
        date: string;
        asset: string;
        gross: string;
        fees: string;
        refunds: string;
        payouts: string;
        other: string;
        net: string;
      }[];
      totals: {
        asset: string;
        gross: string;
        fees: string;
        refunds: string;
        payouts: string;
        other: string;
        net: string;
        opening_balance: string;
        closing_balance: string;
      }[];
    };
    BankPayout: {
      /** @enum {string} */
      object: 'bank_payout';
      id: string;
      livemode: boolean;
      merchant_id: string;
      asset: string;
      amount: string;
      destination: string;
      description: string | null;
      /**
       * @description pending_approval (an operator decides; the amount is already taken from the balance), in_transit (at the payout rail), paid, failed / rejected / canceled (the amount is back in the balance)
       * @enum {string}
       */
      status: 'pending_approval' | 'in_transit' | 'paid' | 'failed' | 'rejected' | 'canceled';
      scheduled: boolean;
      rail: string | null;
      rail_reference: string | null;
      approved_by: string | null;
      approved_at: string | null;
      failure_reason: string | null;
      created_at: string;
      finished_at: string | null;
    };
    PayoutSchedule: {
      /** @enum {string} */
      object: 'payout_schedule';
      asset: string;
      enabled: boolean;
      /** @enum {string} */
      period: 'daily' | 'weekly';
      weekday: number | null;
      minimum: string;
      destination: string;
      next_run_at: string;
      last_run_at: string | null;
    };
    Payout: {
      /** @enum {string} */
      object: 'payout';
      id: string;
      livemode: boolean;
      chain: string;
      asset: string;
      amount: string;
      to_address: string;
      /** @description The withdrawal’s status: pending_approval, queued, signed, broadcast, confirmed, failed, rejected, completed */
      status: string;
      tx_hash: string | null;
      failure_reason: string | null;
      created_at: string;
    };
    campaign: {
      id: string;
      /** @enum {string} */
      object: 'campaign';
    } & {
      [key: string]: unknown;
    };
    coupon: {
      id: string;
      /** @enum {string} */
      object: 'coupon';
    } & {
      [key: string]: unknown;
    };
    code_generation: {
      id: string;
      /** @enum {string} */
      object: 'code_generation';
    } & {
      [key: string]: unknown;
    };
    redemption: {
      id: string;
      /** @enum {string} */
      object: 'redemption';
    } & {
      [key: string]: unknown;
    };
    store: {
      id: string;
      /** @enum {string} */
      object: 'store';
    } & {
      [key: string]: unknown;
    };
    product: {
      id: string;
      /** @enum {string} */
      object: 'product';
    } & {
      [key: string]: unknown;
    };
    variant: {
      id: string;
      /** @enum {string} */
      object: 'variant';
    } & {
      [key: string]: unknown;
    };
    cart: {
      id: string;
      /** @enum {string} */
      object: 'cart';
    } & {
      [key: string]: unknown;
    };
    order: {
      id: string;
      /** @enum {string} */
      object: 'order';
    } & {
      [key: string]: unknown;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listAuditEvents: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return events older than this one (the `next_cursor` of the previous page) */
        starting_after?: string;
        action?: string;
        actor_id?: string;
        target_id?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of events */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['AuditEvent'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getAuditAnchorsStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The anchoring status */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditAnchorStatus'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNotifications: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Notifications */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Notification'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listOpsQueues: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Depths */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Queues'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getOpsJobsDead: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        queue?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Dead jobs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Job'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  retryOpsJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job, queued again */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such job */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not dead */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listUsers: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        /** @description Role */
        role?: 'user' | 'merchant' | 'operator' | 'admin';
        /** @description Exact email address */
        email?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of users */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['User'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SignUpRequest'];
      };
    };
    responses: {
      /** @description The new user */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Email or handle taken */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such user */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  setUserRole: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ChangeRoleRequest'];
      };
    };
    responses: {
      /** @description The user with the new role */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such user */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Would leave no admin */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listSessions: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Your sessions */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Session'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['LogInRequest'];
      };
    };
    responses: {
      /** @description A new session and its token */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedSession'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  logOut: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Logged out */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  revokeSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The revoked session */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Session'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such session */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The calling user */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updateMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['UpdateMeRequest'];
      };
    };
    responses: {
      /** @description The calling user, updated */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Handle taken */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  changePassword: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ChangePasswordRequest'];
      };
    };
    responses: {
      /** @description Password changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PasswordChange'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  startTotpEnrollment: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The secret to enrol */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TotpEnrolment'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Already enabled */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  enableTotp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['TotpConfirmRequest'];
      };
    };
    responses: {
      /** @description Enabled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TotpStatus'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not enrolled */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  disableTotp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['TotpDisableRequest'];
      };
    };
    responses: {
      /** @description Disabled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TotpStatus'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not enabled */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listScopes: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every scope a key can hold */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ScopeList'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listApiKeys: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        /** @description Another user's keys (operators and admins only) */
        user_id?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of keys */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['ApiKey'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateApiKeyRequest'];
      };
    };
    responses: {
      /** @description The new key with its secret */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedApiKey'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiKey'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such key */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  revokeApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The revoked key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiKey'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such key */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listChains: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Chains */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['ChainStatus'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getChain: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        chain: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The chain */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ChainStatus'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No such chain */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': unknown;
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createDepositAddress: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example eth */
          chain: string;
          /** @example USDC */
          asset: string;
        };
      };
    };
    responses: {
      /** @description The address */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DepositAddress'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listDeposits: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        chain?: string;
        status?:
          | 'pending'
          | 'confirmed'
          | 'credit_failed'
          | 'removed'
          | 'reorged_after_credit'
          | 'reversed';
        /** @description Operators only: another user */
        user_id?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deposits */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Deposit'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getDeposit: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The deposit */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deposit'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  reverseDeposit: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
    responses: {
      /** @description The reversed deposit */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deposit'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWithdrawals: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        status?:
          | 'pending_approval'
          | 'queued'
          | 'signed'
          | 'broadcast'
          | 'confirmed'
          | 'failed'
          | 'rejected'
          | 'completed';
        /** @description Operators only: another user */
        user_id?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Withdrawals */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Withdrawal'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createWithdrawal: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example eth */
          chain: string;
          /** @example USDC */
          asset: string;
          /** @example 0x8ba1f109551bD432803012645Ac136ddd64DBA72 */
          to_address: string;
          /**
           * @description Decimal string at the asset scale
           * @example 12.5
           */
          amount: string;
        };
      };
    };
    responses: {
      /** @description The withdrawal */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Withdrawal'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': unknown;
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getWithdrawal: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The withdrawal */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Withdrawal'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  approveWithdrawal: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The withdrawal, now queued */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Withdrawal'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  rejectWithdrawal: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
    responses: {
      /** @description The withdrawal, now rejected */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Withdrawal'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  addAllowlistedAddress: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example eth */
          chain: string;
          address: string;
          label?: string;
        };
      };
    };
    responses: {
      /** @description Added */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'allowlist_entry';
            chain: string;
            address: string;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getWallet: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Your wallet */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WalletProfile'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWalletBalances: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Balances */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Balance'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getWalletHistory: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        /** @description Asset code */
        asset?: string;
        type?: 'payment' | 'trade' | 'fiat_deposit' | 'fiat_withdrawal' | 'adjustment';
        /** @description Inclusive */
        from?: string;
        /** @description Exclusive */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Movements */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Activity'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getWalletStatement: {
    parameters: {
      query: {
        /** @description Asset code */
        asset: string;
        /** @description Start, inclusive (default: 30 days before `to`) */
        from?: string;
        /** @description End, exclusive (default: now) */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The statement */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listAssets: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Assets */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Asset'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createAsset: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example EUR */
          code: string;
          /** @enum {string} */
          kind: 'fiat' | 'crypto';
          /** @example 2 */
          scale: number;
          name?: string;
        };
      };
    };
    responses: {
      /** @description Already existed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Asset'];
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Asset'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Exists with another scale or kind */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listPayments: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        direction?: 'sent' | 'received';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Payments */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Payment'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createPayment: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description `@handle`, handle, email or user id
           * @example @bob
           */
          to: string;
          /**
           * @description Asset code
           * @example USD
           */
          asset: string;
          /**
           * @description Positive decimal string with at most the asset’s decimals
           * @example 12.50
           */
          amount: string;
          /** @example Dinner on Friday */
          note?: string;
        };
      };
    };
    responses: {
      /** @description The payment, from an earlier request with this key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Payment'];
        };
      };
      /** @description The payment */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Payment'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getPayment: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The payment */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Payment'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listPaymentRequests: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        direction?: 'incoming' | 'outgoing';
        status?: 'pending' | 'paid' | 'declined' | 'cancelled';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Payment requests */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['PaymentRequest'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createPaymentRequest: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description Who you ask to pay: `@handle`, handle, email or id
           * @example @bob
           */
          from: string;
          /**
           * @description Asset code
           * @example USD
           */
          asset: string;
          /**
           * @description Positive decimal string with at most the asset’s decimals
           * @example 12.50
           */
          amount: string;
          /** @example Dinner on Friday */
          note?: string;
        };
      };
    };
    responses: {
      /** @description The request, from an earlier ask with this key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentRequest'];
        };
      };
      /** @description The request */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentRequest'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getPaymentRequest: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The request */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentRequest'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  payPaymentRequest: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The paid request and its payment */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentRequest'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  declinePaymentRequest: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The request */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentRequest'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  cancelPaymentRequest: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The request */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentRequest'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createQuote: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['QuoteRequest'];
      };
    };
    responses: {
      /** @description The quote, from an earlier request with this key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Quote'];
        };
      };
      /** @description The quote */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Quote'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description No fresh price */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getQuote: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The quote */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Quote'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  executeQuote: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The trade */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Trade'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listTrades: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Trades */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Trade'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getTrade: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The trade */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Trade'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listFiatDeposits: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deposits */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['FiatDeposit'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createFiatDeposit: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description Asset code
           * @example USD
           */
          asset: string;
          /**
           * @description Positive decimal string with at most the asset’s decimals
           * @example 12.50
           */
          amount: string;
        };
      };
    };
    responses: {
      /** @description The deposit, from an earlier request with this key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FiatDeposit'];
        };
      };
      /** @description The deposit */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FiatDeposit'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getFiatDeposit: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The deposit */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FiatDeposit'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listFiatWithdrawals: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Withdrawals */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['FiatWithdrawal'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createFiatWithdrawal: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description Asset code
           * @example USD
           */
          asset: string;
          /**
           * @description Positive decimal string with at most the asset’s decimals
           * @example 12.50
           */
          amount: string;
          /**
           * @description Bank account reference at the rail
           * @example acct_test_123
           */
          destination: string;
        };
      };
    };
    responses: {
      /** @description The withdrawal, from an earlier request with this key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FiatWithdrawal'];
        };
      };
      /** @description The withdrawal */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FiatWithdrawal'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getFiatWithdrawal: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The withdrawal */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FiatWithdrawal'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getAdminWallet: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description `@handle`, handle, email or user id */
        user: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The wallet */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WalletProfile'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  freezeAdminWallet: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description `@handle`, handle, email or user id */
        user: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example Refund of a duplicate card fee */
          reason: string;
        };
      };
    };
    responses: {
      /** @description The wallet */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WalletProfile'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  unfreezeAdminWallet: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description `@handle`, handle, email or user id */
        user: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example Refund of a duplicate card fee */
          reason: string;
        };
      };
    };
    responses: {
      /** @description The wallet */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WalletProfile'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  setWalletTier: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description `@handle`, handle, email or user id */
        user: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          tier: 'unverified' | 'verified' | 'enhanced';
          /** @example Refund of a duplicate card fee */
          reason: string;
        };
      };
    };
    responses: {
      /** @description The wallet */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WalletProfile'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createAdminAdjustment: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description `@handle`, handle, email or user id
           * @example @bob
           */
          user: string;
          /**
           * @description Asset code
           * @example USD
           */
          asset: string;
          /** @enum {string} */
          direction: 'credit' | 'debit';
          /**
           * @description Positive decimal string with at most the asset’s decimals
           * @example 12.50
           */
          amount: string;
          /** @example Refund of a duplicate card fee */
          reason: string;
        };
      };
    };
    responses: {
      /** @description The adjustment, from an earlier request with this key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Adjustment'];
        };
      };
      /** @description The adjustment */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Adjustment'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Insufficient funds */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (state, limit or idempotency key) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listAdminWalletAdjustments: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path: {
        /** @description `@handle`, handle, email or user id */
        user: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Adjustments */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Adjustment'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listEventTypes: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The catalogue */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['EventType'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWebhookEndpoints: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Endpoints */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['WebhookEndpoint'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example https://example.com/webhooks */
          url: string;
          /**
           * @example [
           *       "address.activity",
           *       "tx.dropped",
           *       "deposit.confirmed"
           *     ]
           */
          event_types: (components['schemas']['WebhookEventType'] | string)[];
          description?: string | null;
          /** @description Deliver one at a time, in order: the next waits for success */
          ordered?: boolean;
          rate_limit_per_sec?: number | null;
          max_in_flight?: number | null;
        };
      };
    };
    responses: {
      /** @description The endpoint and its secret */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpoint'] & {
            /** @example whsec_… */
            secret: string;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoint */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpoint'] & {
            messages: {
              [key: string]: number;
            };
            lag_seconds: number;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {string} */
            object: 'webhook_endpoint';
            deleted: boolean;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updateWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example https://example.com/webhooks */
          url?: string;
          /**
           * @example [
           *       "address.activity",
           *       "tx.dropped",
           *       "deposit.confirmed"
           *     ]
           */
          event_types?: (components['schemas']['WebhookEventType'] | string)[];
          description?: string | null;
          /** @description Deliver one at a time, in order: the next waits for success */
          ordered?: boolean;
          rate_limit_per_sec?: number | null;
          max_in_flight?: number | null;
        };
      };
    };
    responses: {
      /** @description The endpoint */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpoint'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  pauseWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoint */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpoint'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  resumeWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoint */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpoint'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  disableWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoint */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpoint'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  rotateWebhookEndpointSecret: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @default 86400 */
          overlap_seconds?: number;
        };
      };
    };
    responses: {
      /** @description The new secret */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'webhook_secret';
            secret: string;
            previous_secret_expires_at: string;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWebhookEndpointMessages: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        state?: 'pending' | 'queued' | 'delivering' | 'delivered' | 'failed' | 'skipped';
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Messages */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['WebhookMessage'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWebhookEndpointDeadLetters: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Dead letters */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['WebhookMessage'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWebhookEndpointAttempts: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        message_id?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Attempts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['WebhookAttempt'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  replayWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          message_id?: string;
          /** Format: date-time */
          since?: string;
          /** Format: date-time */
          until?: string;
          chain?: string;
          /** @example 19000000 */
          from_block?: string;
          /** @example 19000000 */
          to_block?: string;
          only_failed?: boolean;
        };
      };
    };
    responses: {
      /** @description How many messages were put back */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'webhook_replay';
            replayed: number;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  recoverWebhookEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: date-time */
          since: string;
          /** Format: date-time */
          until?: string;
        };
      };
    };
    responses: {
      /** @description How many messages were put back */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'webhook_recovery';
            recovered: number;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWebhookSubscriptions: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        endpoint_id?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Subscriptions */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['WebhookSubscription'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createWebhookSubscription: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          endpoint_id: string;
          /** @enum {string} */
          kind: 'address_activity' | 'contract_log' | 'new_block' | 'transaction';
          chain: string;
          filter?: {
            [key: string]: unknown;
          };
          addresses?: string[];
          tx_hashes?: string[];
          /** @example 19000000 */
          from_block?: string;
        };
      };
    };
    responses: {
      /** @description The subscription */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookSubscription'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getWebhookSubscription: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The subscription */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookSubscription'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteWebhookSubscription: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {string} */
            object: 'webhook_subscription';
            deleted: boolean;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  addWebhookSubscriptionItems: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          items: string[];
          /** @example 19000000 */
          from_block?: string;
        };
      };
    };
    responses: {
      /** @description The subscription */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookSubscription'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  removeWebhookSubscriptionItems: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          items: string[];
          /** @example 19000000 */
          from_block?: string;
        };
      };
    };
    responses: {
      /** @description The subscription */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookSubscription'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWebhookSubscriptionBackfills: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Backfills */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['WebhookBackfill'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listWebhookSubscriptionItems: {
    parameters: {
      query?: {
        limit?: number;
        starting_after?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Items */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: {
              item: string;
              from_block: string;
              until_block: string | null;
            }[];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNodeopsChains: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Chains */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['NodeopsChain'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createNodeopsChain: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          key: string;
          /** @enum {string} */
          family: 'cometbft' | 'evm' | 'eos' | 'xrpl';
          /** @default [] */
          references?: string[];
          /**
           * @description cometbft: a Cosmos SDK REST (LCD) base URL; validators are then checked for the active set and jail
           * @example https://rpc.cosmos.example:443
           */
          lcd_url?: string;
          /**
           * @description A release feed with the GitHub releases API shape (`…/releases/latest` or `…/releases`)
           * @example https://api.github.com/repos/cometbft/cometbft/releases/latest
           */
          release_feed?: string;
          block_time_seconds?: number;
          lag_blocks?: number;
          stall_seconds?: number;
          min_peers?: number;
          missed_consecutive?: number;
          missed_window?: number;
          missed_window_max?: number;
          ban_after_seconds?: number;
          unban_after_seconds?: number;
          missed_rounds?: number;
        };
      };
    };
    responses: {
      /** @description The chain */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsChain'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteNodeopsChain: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            key: string;
            /** @enum {boolean} */
            deleted: true;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNodeopsNodes: {
    parameters: {
      query?: {
        chain?: string;
        banned?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Nodes */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['NodeopsNode'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createNodeopsNode: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          chain: string;
          region: string;
          /** @enum {string} */
          role: 'validator' | 'sentry' | 'rpc';
          /** @example https://rpc.cosmos.example:443 */
          url: string;
          validator_address?: string;
          /** @description eos: the producer account whose rounds are counted */
          producer_name?: string;
        };
      };
    };
    responses: {
      /** @description The node */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsNode'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getNodeopsNode: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The node */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsNode'] & {
            recent_alerts: components['schemas']['NodeopsAlert'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteNodeopsNode: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {boolean} */
            deleted: true;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  banNodeopsNode: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
    responses: {
      /** @description The node */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsNode'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  unbanNodeopsNode: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The node */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsNode'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNodeopsAlerts: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        status?: 'open' | 'firing' | 'acknowledged' | 'resolved';
        node?: string;
        monitor?: string;
        chain?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Alerts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['NodeopsAlert'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getNodeopsAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The alert */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsAlert'] & {
            notices: {
              id: string;
              /** @enum {string} */
              kind: 'opened' | 'reminder' | 'banned' | 'unbanned' | 'resolved';
              text: string;
              created_at: string;
            }[];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  acknowledgeNodeopsAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The alert */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsAlert'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  silenceNodeopsAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          seconds: number;
        };
      };
    };
    responses: {
      /** @description The alert */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsAlert'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNodeopsChannels: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Channels */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['NodeopsChannel'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createNodeopsChannel: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json':
          | {
              name: string;
              /**
               * @default warning
               * @enum {string}
               */
              min_severity?: 'warning' | 'critical';
              /** @default [] */
              chains?: string[];
              /** @enum {string} */
              kind: 'telegram';
              bot_token: string;
              chat_id: string;
              /**
               * @default https://api.telegram.org
               * @example https://rpc.cosmos.example:443
               */
              api_url?: string;
            }
          | {
              name: string;
              /**
               * @default warning
               * @enum {string}
               */
              min_severity?: 'warning' | 'critical';
              /** @default [] */
              chains?: string[];
              /** @enum {string} */
              kind: 'slack';
              /** @example https://rpc.cosmos.example:443 */
              webhook_url: string;
            }
          | {
              name: string;
              /**
               * @default warning
               * @enum {string}
               */
              min_severity?: 'warning' | 'critical';
              /** @default [] */
              chains?: string[];
              /** @enum {string} */
              kind: 'email';
              to: string[];
            }
          | {
              name: string;
              /**
               * @default warning
               * @enum {string}
               */
              min_severity?: 'warning' | 'critical';
              /** @default [] */
              chains?: string[];
              /** @enum {string} */
              kind: 'pagerduty';
              routing_key: string;
              /**
               * @default https://events.pagerduty.com/v2/enqueue
               * @example https://rpc.cosmos.example:443
               */
              events_url?: string;
            };
      };
    };
    responses: {
      /** @description The channel */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsChannel'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteNodeopsChannel: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {boolean} */
            deleted: true;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNodeopsMonitors: {
    parameters: {
      query?: {
        kind?: 'backup' | 'http' | 'push';
        chain?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Monitors */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['NodeopsMonitor'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createNodeopsMonitor: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json':
          | {
              name: string;
              /** @description Alerts are routed by it; backups grouped by it */
              chain?: string;
              region: string;
              interval_seconds?: number;
              /** @enum {string} */
              kind: 'backup';
              /**
               * @description A backup file, or a directory whose newest file counts
               * @example /srv/backups/cosmoshub
               */
              path?: string;
              /**
               * @description An HTTP(S) object whose `Last-Modified` is the backup time
               * @example https://rpc.cosmos.example:443
               */
              url?: string;
              max_age_seconds?: number;
              /**
               * @description A regular expression whose first group is the height in the file name
               * @example snapshot-(\d+)\.tar
               */
              height_pattern?: string;
            }
          | {
              name: string;
              /** @description Alerts are routed by it; backups grouped by it */
              chain?: string;
              region?: string;
              interval_seconds?: number;
              /** @enum {string} */
              kind: 'http';
              /** @example https://rpc.cosmos.example:443 */
              url: string;
              /** @enum {string} */
              method?: 'GET' | 'HEAD';
              expect_status?: number[];
              keyword?: string;
              /** @example /status */
              json_pointer?: string;
              json_equals?: string | number | boolean;
              max_latency_ms?: number;
              cert_expiry_days?: number;
              failure_threshold?: number;
              timeout_ms?: number;
              ca_cert?: string;
            }
          | {
              name: string;
              /** @description Alerts are routed by it; backups grouped by it */
              chain?: string;
              region?: string;
              interval_seconds?: number;
              /** @enum {string} */
              kind: 'push';
              max_silence_seconds?: number;
            };
      };
    };
    responses: {
      /** @description The monitor */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsMonitor'] & {
            /** @description push: the token to call in with; shown only once */
            push_token?: string;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getNodeopsMonitor: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The monitor */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeopsMonitor'] & {
            recent_alerts: components['schemas']['NodeopsAlert'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteNodeopsMonitor: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @enum {boolean} */
            deleted: true;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listNodeopsBackups: {
    parameters: {
      query?: {
        chain?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Backups */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['NodeopsBackups'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createNodeopsPush: {
    parameters: {
      query?: never;
      header: {
        'x-push-token': string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Received */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            monitor: string;
            received_at: string;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  signaturesProducerChain: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        chain: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProducerSignRequest'];
      };
    };
    responses: {
      /** @description The signature */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProducerSignature'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listProducerChains: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Chains */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['ProducerChain'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getProducerChain: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        chain: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The chain */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProducerChain'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  switchoverProducerChain: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        chain: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProducerSwitchoverRequest'];
      };
    };
    responses: {
      /** @description Requested */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProducerSwitchover'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  replaceProducerChainKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        chain: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProducerKeyRequest'];
      };
    };
    responses: {
      /** @description The key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProducerKey'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getProducerChainMark: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        chain: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The mark */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProducerMarkInterchange'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  replaceProducerChainMark: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        chain: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ProducerMarkInterchange'];
      };
    };
    responses: {
      /** @description The mark now */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ProducerMarkInterchange'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listMerchants: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Merchants */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Merchant'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createMerchant: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description The merchant */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Merchant'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getMerchant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The merchant */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Merchant'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updateMerchant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description The merchant */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Merchant'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  replaceMerchantFees: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          bps: number;
          /** @default {} */
          fixed?: {
            [key: string]: string;
          };
        };
      };
    };
    responses: {
      /** @description The merchant */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Merchant'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listMerchantMembers: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Members */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['MerchantMember'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  membersMerchant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          /** @enum {string} */
          role: 'owner' | 'admin' | 'developer' | 'support' | 'viewer';
        };
      };
    };
    responses: {
      /** @description The member */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MerchantMember'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteMerchantMember: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
        user: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listMerchantApiKeys: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Keys */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['MerchantApiKey'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  apiMerchantKeys: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          /** @enum {string} */
          mode: 'live' | 'test';
          scopes?: (
            | 'invoices:read'
            | 'invoices:write'
            | 'refunds:read'
            | 'refunds:write'
            | 'merchant_balance:read'
            | 'payouts:read'
            | 'payouts:write'
            | 'webhooks:read'
            | 'webhooks:write'
            | 'campaigns:read'
            | 'campaigns:write'
          )[];
        };
      };
    };
    responses: {
      /** @description The key and its token */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MerchantApiKey'] & {
            token: string;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deleteMerchantApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        merchant: string;
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The revoked key */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MerchantApiKey'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listInvoices: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        status?:
          'open' | 'processing' | 'paid' | 'overpaid' | 'paid_late' | 'underpaid' | 'expired';
        order_id?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Invoices */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Invoice'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createInvoice: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example USD */
          currency: string;
          /**
           * @description Decimal string at the asset scale
           * @example 12.50
           */
          amount: string;
          /** @description Accepted assets (default: every enabled asset) */
          assets?: string[];
          description?: string;
          order_id?: string;
          /** Format: email */
          customer_email?: string;
          /** Format: uri */
          redirect_url?: string;
          metadata?: {
            [key: string]: string;
          };
          /** @default 900 */
          expires_in_seconds?: number;
        };
      };
    };
    responses: {
      /** @description The invoice */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Invoice'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getInvoicesSearch: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        /** @description An invoice id (`inv_…`) */
        id?: string;
        status?:
          'open' | 'processing' | 'paid' | 'overpaid' | 'paid_late' | 'underpaid' | 'expired';
        /** @description Pricing currency; needed with `amount_gte` / `amount_lte` */
        currency?: string;
        /** @description Invoices of at least this amount of `currency` */
        amount_gte?: string;
        /** @description Invoices of at most this amount of `currency` */
        amount_lte?: string;
        /** @description Created at or after (ISO 8601) */
        created_gte?: string;
        /** @description Created before (ISO 8601) */
        created_lt?: string;
        /** @description Customer email, any letter case */
        customer_email?: string;
        /** @description The merchant’s order id, exact */
        order_id?: string;
        /** @description The invoice’s deposit address, any letter case */
        address?: string;
        /** @description Hash of a transaction that paid the invoice */
        tx_hash?: string;
        /** @description Free text in the description and metadata: whole words ("a phrase", -word, or), and substrings of 3+ characters where `text_match` says trigram */
        q?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Matching invoices */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Invoice'][];
            has_more: boolean;
            next_cursor: string | null;
            /**
             * @description How `q` was matched: whole words, plus substrings when the database has pg_trgm
             * @enum {string}
             */
            text_match: 'full_text+trigram' | 'full_text';
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getInvoice: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        invoice: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The invoice */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Invoice'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  testInvoicePayments: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        invoice: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example ETH */
          asset: string;
          /**
           * @description A part of what is due (default: all of it)
           * @example 12.50
           */
          amount?: string;
        };
      };
    };
    responses: {
      /** @description The invoice */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Invoice'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  refundsInvoice: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        invoice: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example ETH */
          asset: string;
          /**
           * @description Decimal string at the asset scale
           * @example 12.50
           */
          amount: string;
          reason?: string;
          /** @description Life of the refund link of an on-chain payment (default 3 days) */
          link_expires_in_seconds?: number;
        };
      };
    };
    responses: {
      /** @description The refund */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Refund'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listRefunds: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        invoice?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Refunds */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Refund'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getRefund: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        refund: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The refund */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Refund'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getMerchantBalance: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The balance */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MerchantBalance'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getCheckoutInvoice: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        invoice: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The invoice */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Invoice'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  payCheckoutInvoice: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        invoice: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example ETH */
          asset: string;
          /**
           * @description A part of what is due (default: all of it)
           * @example 12.50
           */
          amount?: string;
        };
      };
    };
    responses: {
      /** @description The invoice */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Invoice'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listPaymentLinks: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Payment links */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['PaymentLink'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createPaymentLink: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example USD */
          currency: string;
          /**
           * @description Omit for an open amount
           * @example 12.50
           */
          amount?: string;
          assets?: string[];
          description?: string;
          max_uses?: number;
          /**
           * @description Life of each invoice the link makes
           * @default 900
           */
          expires_in_seconds?: number;
        };
      };
    };
    responses: {
      /** @description The payment link */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentLink'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getPaymentLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        link: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The payment link */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentLink'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updatePaymentLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        link: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          active?: boolean;
          description?: string | null;
        };
      };
    };
    responses: {
      /** @description The payment link */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PaymentLink'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listPosTerminals: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Terminals */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['PosTerminal'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createPosTerminal: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          /** @example USD */
          currency: string;
          assets?: string[];
        };
      };
    };
    responses: {
      /** @description The terminal, its token and page */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PosTerminal'] & {
            token: string;
            url: string;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  deletePosTerminal: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        terminal: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The revoked terminal */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PosTerminal'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  linkRefund: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        refund: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Life of the refund link of an on-chain payment (default 3 days) */
          link_expires_in_seconds?: number;
        };
      };
    };
    responses: {
      /** @description The refund with its new link */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Refund'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  cancelRefund: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        refund: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The canceled refund */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Refund'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getRefundLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        token: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The refund link */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RefundLink'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updateRefundLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        token: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          address: string;
        };
      };
    };
    responses: {
      /** @description The refund link */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RefundLink'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listSettlements: {
    parameters: {
      query: {
        from: string;
        to: string;
        format?: 'json' | 'csv';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The report */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SettlementReport'];
          'text/csv': string;
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listBankPayouts: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        status?: 'pending_approval' | 'in_transit' | 'paid' | 'failed' | 'rejected' | 'canceled';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Bank payouts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['BankPayout'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createBankPayout: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example ETH */
          asset: string;
          /**
           * @description Decimal string at the asset scale
           * @example 12.50
           */
          amount: string;
          /**
           * @description The bank account at the payout rail (an IBAN or the rail’s account reference)
           * @example DE89370400440532013000
           */
          destination: string;
          description?: string;
        };
      };
    };
    responses: {
      /** @description The payout */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BankPayout'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getBankPayout: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        bank_payout: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The payout */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BankPayout'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  cancelBankPayout: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        bank_payout: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description The payout, canceled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BankPayout'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listPayoutSchedules: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The schedules, one per asset */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['PayoutSchedule'][];
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  replacePayoutSchedules: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example ETH */
          asset: string;
          /** @default true */
          enabled?: boolean;
          /** @enum {string} */
          period: 'daily' | 'weekly';
          weekday?: number;
          /**
           * @description Decimal string at the asset scale
           * @example 12.50
           */
          minimum: string;
          /**
           * @description The bank account at the payout rail (an IBAN or the rail’s account reference)
           * @example DE89370400440532013000
           */
          destination: string;
        };
      };
    };
    responses: {
      /** @description The schedule */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PayoutSchedule'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listAdminBankPayouts: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Bank payouts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['BankPayout'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  approveAdminBankPayout: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        bank_payout: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description The payout, in transit */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BankPayout'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  rejectAdminBankPayout: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        bank_payout: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
    responses: {
      /** @description The payout, rejected */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BankPayout'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listPayouts: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Payouts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['Payout'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createPayout: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example ETH */
          asset: string;
          /**
           * @description Decimal string at the asset scale
           * @example 12.50
           */
          amount: string;
          to_address: string;
        };
      };
    };
    responses: {
      /** @description The payout */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Payout'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getPayout: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        payout: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The payout */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Payout'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listCampaigns: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        merchant?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Campaigns */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['campaign'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createCampaign: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description The merchant the campaign is for, one you run campaigns of (owner, admin or developer); a merchant API key runs its own merchant’s and may leave it out
           * @example mch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y
           */
          merchant?: string;
          /** @example Cricket season 2026 */
          name: string;
          /**
           * @description Where the campaign runs (a label)
           * @example tv-cricket
           */
          channel: string;
          /** @example USD */
          currency: string;
          /**
           * Format: date-time
           * @example 2026-04-01T00:00:00Z
           */
          starts_at: string;
          /**
           * Format: date-time
           * @example 2026-04-01T00:00:00Z
           */
          ends_at?: string;
          rule: {
            /** @enum {string} */
            kind: 'percentage' | 'fixed' | 'free_item';
            /** @example 1500 */
            percent_bps?: number;
            /** @example 5.00 */
            amount?: string;
            free_variant_id?: string;
            /** @example 5.00 */
            min_spend?: string;
            first_order_only?: boolean;
          };
          target?: {
            store_ids?: string[];
            product_ids?: string[];
            /** @enum {string} */
            segment?: 'everyone' | 'members' | 'guests';
          };
          /**
           * @description Most discount the campaign gives in total
           * @example 5.00
           */
          budget?: string;
          redemption_limit?: number;
          per_customer_limit?: number;
        };
      };
    };
    responses: {
      /** @description The campaign */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['campaign'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getCampaign: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The campaign */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['campaign'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  statusCampaign: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          status: 'active' | 'paused';
        };
      };
    };
    responses: {
      /** @description The campaign */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['campaign'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listCampaignCodes: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Codes */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['coupon'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  codesCampaign: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example CRICKET25 */
          code: string;
          usage_limit?: number;
        };
      };
    };
    responses: {
      /** @description The code */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['coupon'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  generateCampaignCodes: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          count: number;
          /** @example 10 */
          length?: number;
          /** @example IPL */
          prefix?: string;
          /** @example ####-#### */
          pattern?: string;
          alphabet?: string;
          usage_limit?: number;
        };
      };
    };
    responses: {
      /** @description How many were made, and a few of them */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            generated: number;
            sample: string[];
          };
        };
      };
      /** @description The generation job, queued */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['code_generation'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getCampaignGeneration: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        generation_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The generation */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['code_generation'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getCampaignCodeQr: {
    parameters: {
      query?: {
        format?: 'png' | 'svg';
      };
      header?: never;
      path: {
        id: string;
        code: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The QR image of the code */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'image/png': string;
          'image/svg+xml': string;
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getCampaignCodesQr: {
    parameters: {
      query?: {
        format?: 'png' | 'svg';
        limit?: number;
        starting_after?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A ZIP of QR images */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/zip': string;
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getCampaignCodesExport: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description `code,kind,usage_limit,used,created_at`, one code a line */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listCampaignAnalytics: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Analytics */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'campaign_analytics';
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createCampaignsRedemption: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description The merchant whose order it is, one you run campaigns of; a merchant API key acts for its own merchant and may leave it out
           * @example mch_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y
           */
          merchant?: string;
          /** @example CRICKET25 */
          code: string;
          /**
           * @description Your own order reference (unique per merchant)
           * @example WEB-10042
           */
          order_id: string;
          /**
           * @description Your customer reference, or their email (compared without case)
           * @example cust-5531
           */
          customer: string;
          /** @example USD */
          currency: string;
          /**
           * @description The order’s total in the currency, before the discount
           * @example 80.00
           */
          order_total: string;
        };
      };
    };
    responses: {
      /** @description The order’s redemption, made before by the same request */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['redemption'];
        };
      };
      /** @description The redemption */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['redemption'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Refused */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  confirmCampaignsRedemption: {
    parameters: {
      query?: {
        /** @description The merchant whose order it is, one you run campaigns of; a merchant API key acts for its own merchant and may leave it out */
        merchant?: string;
      };
      header?: never;
      path: {
        order_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The redemption */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['redemption'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  releaseCampaignsRedemption: {
    parameters: {
      query?: {
        /** @description The merchant whose order it is, one you run campaigns of; a merchant API key acts for its own merchant and may leave it out */
        merchant?: string;
      };
      header?: never;
      path: {
        order_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The redemption */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['redemption'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listStores: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        owner_id?: string;
        merchant?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Stores */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['store'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createStore: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description A merchant you manage
           * @example mer_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y
           */
          merchant: string;
          /** @example Tea House */
          name: string;
          /**
           * Format: uri
           * @example https://cdn.example.com/logo.png
           */
          logo_url?: string;
          /**
           * @example {
           *       "primary": "#0a7d4f",
           *       "accent": "#f2c14e"
           *     }
           */
          colors?: {
            [key: string]: string;
          };
          position: {
            level?: number;
            x: number;
            y: number;
          };
          /**
           * @description Tax on the discounted amount, in basis points (1800 = 18 %)
           * @example 1800
           */
          tax_bps?: number;
        };
      };
    };
    responses: {
      /** @description The store */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['store'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getStore: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The store */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['store'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updateStore: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description A merchant you manage
           * @example mer_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y
           */
          merchant?: string;
          name?: string;
          /**
           * Format: uri
           * @example https://cdn.example.com/logo.png
           */
          logo_url?: string | null;
          /**
           * @example {
           *       "primary": "#0a7d4f",
           *       "accent": "#f2c14e"
           *     }
           */
          colors?: {
            [key: string]: string;
          };
          position?: {
            level?: number;
            x: number;
            y: number;
          };
          /**
           * @description Tax on the discounted amount, in basis points (1800 = 18 %)
           * @example 1800
           */
          tax_bps?: number;
        };
      };
    };
    responses: {
      /** @description The store */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['store'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getProduct: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The product */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['product'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  updateProduct: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name?: string;
          description?: string;
          image_urls?: string[];
          variants?: {
            id: string;
            /** @example Short handle */
            name?: string;
            /**
             * @example {
             *       "USD": "49.90",
             *       "EUR": "45.00"
             *     }
             */
            prices?: {
              [key: string]: string;
            };
          }[];
        };
      };
    };
    responses: {
      /** @description The product */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['product'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listStoreProducts: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Products */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['product'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  productsStore: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example Cricket bat */
          name: string;
          description?: string;
          image_urls?: string[];
          variants: {
            /** @example BAT-SH */
            sku: string;
            /** @example Short handle */
            name: string;
            /**
             * @example {
             *       "USD": "49.90",
             *       "EUR": "45.00"
             *     }
             */
            prices: {
              [key: string]: string;
            };
            stock: number;
          }[];
        };
      };
    };
    responses: {
      /** @description The product */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['product'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  stockVariant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          on_hand: number;
        };
      };
    };
    responses: {
      /** @description The variant */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['variant'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  createCart: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example sto_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y */
          store_id: string;
          /**
           * @description Asset code
           * @example USD
           */
          currency: string;
        };
      };
    };
    responses: {
      /** @description The cart (and a guest’s secret) */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['cart'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getCart: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The cart */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['cart'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  itemsCart: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          variant_id: string;
          /** @description Units in the cart; 0 removes the variant */
          quantity: number;
        };
      };
    };
    responses: {
      /** @description The cart */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['cart'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  couponCart: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example CRICKET25 */
          code: string | null;
        };
      };
    };
    responses: {
      /** @description The cart */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['cart'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The coupon does not apply */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  checkoutCart: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Format: email
           * @description Needed for a guest checkout
           */
          email?: string;
        };
      };
    };
    responses: {
      /** @description The order */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['order'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listOrders: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Orders */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['order'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  listMerchantOrders: {
    parameters: {
      query?: {
        /** @description Page size, 1 to 100 */
        limit?: number;
        /** @description Return items after this id (the `next_cursor` of the previous page) */
        starting_after?: string;
        merchant?: string;
        store_id?: string;
        status?: 'pending' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Orders */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            object: 'list';
            data: components['schemas']['order'][];
            has_more: boolean;
            next_cursor: string | null;
          };
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  getOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['order'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  payOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The paid order */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['order'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description The payment was refused */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  cancelOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason?: string;
        };
      };
    };
    responses: {
      /** @description The cancelled order */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['order'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  fulfilOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['order'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  refundOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['order'];
        };
      };
      /** @description Invalid request */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Missing or invalid credentials */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not allowed for this role or key */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Conflict (stock, state or limit) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description Rate limited */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
}
