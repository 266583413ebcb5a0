-- +goose Up
-- SMS delivery of notifications (issue 15). An account may give a mobile number (optional):
-- sealed like the 报名表's numbers (AES-GCM, bound to this column), with its mask beside it
-- for pages that show it. No index: nothing searches accounts by number.
ALTER TABLE users ADD COLUMN mobile_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN mobile_masked TEXT NOT NULL DEFAULT '';
-- An SMS delivery (channel `sms`) keeps its template's parameters, the facts of the event as
-- the notification was made (a work's title, a tier); the number is read when it is sent.
ALTER TABLE notification_deliveries ADD COLUMN params TEXT NOT NULL DEFAULT '';
-- How much each number was sent lately, for the per-number limits (one per 30 s, ten a
-- Beijing day). Keyed by the number's keyed hash, never the number. `version` changes with
-- every update, so that replicas sending at once cannot both take the last place.
CREATE TABLE sms_rates (
    number_key   TEXT PRIMARY KEY,
    last_sent_at TIMESTAMPTZ,
    day          TEXT NOT NULL,
    day_count    INTEGER NOT NULL,
    version      INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sms_rates;
ALTER TABLE notification_deliveries DROP COLUMN params;
ALTER TABLE users DROP COLUMN mobile_masked;
ALTER TABLE users DROP COLUMN mobile_enc;
