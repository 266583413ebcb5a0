-- +goose Up
-- Reminders (issue 15): the deadline and review reminders and the organizers' daily digest.
-- reminders_off is the recipient's choice to get no reminders by e-mail (the unsubscribe
-- link, or the account page); the transactional notifications are not affected.
ALTER TABLE users ADD COLUMN reminders_off BOOLEAN NOT NULL DEFAULT FALSE;
-- A round of reminders (one moment of one contest: the 24 h deadline reminder, a day's
-- digest) once every recipient has been given theirs, so the periodic task does not read
-- the works again at every run in the round's window.
CREATE TABLE reminder_rounds (
    round   TEXT PRIMARY KEY,
    done_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE reminder_rounds;
ALTER TABLE users DROP COLUMN reminders_off;
