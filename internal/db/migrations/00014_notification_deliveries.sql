-- +goose Up
-- E-mail delivery of notifications (issue 15). When SMTP is configured, each notification
-- whose recipient has an e-mail address gets a row here in the same transaction as the
-- notification, and a River job (queue `mail`) sends it. No address is stored here: the job
-- reads it from the user when it sends, and last_error never contains it.
CREATE TABLE notification_deliveries (
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    state           TEXT NOT NULL, -- pending, sent, retrying, failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    PRIMARY KEY (notification_id, channel)
);
-- The organizers' page lists the newest deliveries.
CREATE INDEX notification_deliveries_created ON notification_deliveries (created_at);

-- +goose Down
DROP TABLE notification_deliveries;
