-- A unit's own channels (issue 14, "accounts and units choose which
-- channels reach them"): for notifications addressed to the unit, its own
-- 企业微信 and 钉钉 group robots and a duty mailbox and mobile (值班邮箱 /
-- 值班手机) besides its accounts, each switched on or off. One row per unit,
-- created when the unit first saves its settings.
--
-- Robot addresses are kept as entered (pages show them masked); the 钉钉
-- 加签 secret is sealed with internal/secure (SECRET_KEY), NULL when none.
-- A channel switched on has its address.
CREATE TABLE unit_notify_channels (
    unit_id         bigint PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    wecom_on        boolean NOT NULL DEFAULT false,
    wecom_url       text NOT NULL DEFAULT '',
    dingtalk_on     boolean NOT NULL DEFAULT false,
    dingtalk_url    text NOT NULL DEFAULT '',
    dingtalk_secret bytea,
    email_on        boolean NOT NULL DEFAULT false,
    duty_email      text NOT NULL DEFAULT '',
    sms_on          boolean NOT NULL DEFAULT false,
    duty_mobile     text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL,
    CHECK (NOT wecom_on OR wecom_url <> ''),
    CHECK (NOT dingtalk_on OR dingtalk_url <> ''),
    CHECK (NOT email_on OR duty_email <> ''),
    CHECK (NOT sms_on OR duty_mobile <> ''),
    CHECK (dingtalk_secret IS NULL OR dingtalk_url <> '')
);

-- A unit's deliveries: unit_id names the unit whose own channel carries it
-- (its robots, duty mailbox or mobile); user_id an account's e-mail or SMS;
-- neither, the office-wide webhook and group robots. The unique key now
-- makes a delivery exist once per notification, channel, account and unit.
ALTER TABLE notification_deliveries
    ADD COLUMN unit_id bigint REFERENCES units (id) ON DELETE CASCADE,
    DROP CONSTRAINT notification_deliveries_check1,
    DROP CONSTRAINT notification_deliveries_notification_id_channel_user_id_key,
    ADD CONSTRAINT notification_deliveries_recipient CHECK (CASE
        WHEN user_id IS NOT NULL THEN unit_id IS NULL AND channel IN ('email', 'sms')
        WHEN unit_id IS NOT NULL THEN channel IN ('email', 'sms', 'wecom', 'dingtalk')
        ELSE channel IN ('webhook', 'wecom', 'dingtalk') END),
    ADD CONSTRAINT notification_deliveries_once
        UNIQUE NULLS NOT DISTINCT (notification_id, channel, user_id, unit_id);
