-- Queue lag of messages that wait in the broker (nats engine), per endpoint, as each
-- delivery process last measured it (src/webhooks/delivery/broker-lag.ts). Written with
-- the heartbeat, so the endpoint API can show lag that has no row in webhook_messages
-- yet: `{ "<endpoint id>": seconds }`, the endpoints with lag only, at most 1,000.
ALTER TABLE webhook_workers ADD COLUMN broker_lag jsonb NOT NULL DEFAULT '{}';
