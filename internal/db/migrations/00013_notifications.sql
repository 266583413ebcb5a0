-- +goose Up
-- Notifications (issue 15): the outbox. Each row is written in the same transaction as the
-- event that causes it, so an event is never recorded without its message nor the reverse.
-- This increment delivers on the site only (站内消息); e-mail and SMS will add their delivery
-- state per channel (see docs/design/notifications.md).
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    recipient  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    -- One notification per event and recipient: an event written twice (a retried job, a
    -- check run again, a double click) inserts nothing the second time.
    event_key  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX notifications_event ON notifications (recipient, event_key);
-- The message centre (newest first) and the header's unread count read only the recipient's
-- own rows through this index, however many other people's there are.
CREATE INDEX notifications_recipient ON notifications (recipient, read_at, created_at);

-- +goose Down
DROP TABLE notifications;
