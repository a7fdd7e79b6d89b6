-- Outbound delivery of notifications (issue 14): one row per notification,
-- channel and account (e-mail, SMS) or per notification and channel
-- (webhook, 企业微信 and 钉钉 group robots: user_id NULL). The unique key
-- makes a delivery exist once however often its planning job runs.
--
-- state: pending (not tried yet, or queued again by the office's resend),
-- sending (marked before the send, so an attempt cut off by a crash is
-- recognised: the retry resends only where the receiver can drop a repeat,
-- otherwise the delivery is given up), sent, failed (a temporary failure,
-- retried with back-off) and given_up (a final failure, or retries
-- exhausted; the office may resend by hand).
CREATE TABLE notification_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'wecom', 'dingtalk')),
    user_id         bigint REFERENCES users (id) ON DELETE CASCADE,
    state           text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'given_up')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CHECK ((channel IN ('email', 'sms')) = (user_id IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (notification_id, channel, user_id)
);
-- The office's list of failures, newest first.
CREATE INDEX notification_deliveries_trouble ON notification_deliveries (updated_at DESC, id DESC)
    WHERE state IN ('failed', 'given_up');

-- The channels an account is reached on besides the product's own inbox:
-- e-mail by default (used once the account has an address), SMS only when
-- chosen.
ALTER TABLE users ADD COLUMN notify_channels text[] NOT NULL DEFAULT '{email}'
    CHECK (notify_channels <@ ARRAY['email', 'sms']::text[]);
