-- +goose Up
CREATE TABLE uploads (
    id            TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    owner_id      TEXT NOT NULL REFERENCES users (id),
    storage_key   TEXT NOT NULL,
    storage_id    TEXT NOT NULL UNIQUE,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    part_size     BIGINT NOT NULL,
    part_count    INTEGER NOT NULL,
    file_modified BIGINT NOT NULL,
    state         TEXT NOT NULL,
    checksum      TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    completed_at  TIMESTAMPTZ
);
CREATE INDEX uploads_submission_state ON uploads (submission_id, state);
CREATE INDEX uploads_state_expires ON uploads (state, expires_at);

ALTER TABLE submissions ADD COLUMN video_key TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_name TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_content_type TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_size BIGINT NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN video_checksum TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_started_at TIMESTAMPTZ;
ALTER TABLE submissions ADD COLUMN video_uploaded_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE submissions DROP COLUMN video_uploaded_at;
ALTER TABLE submissions DROP COLUMN video_started_at;
ALTER TABLE submissions DROP COLUMN video_checksum;
ALTER TABLE submissions DROP COLUMN video_size;
ALTER TABLE submissions DROP COLUMN video_content_type;
ALTER TABLE submissions DROP COLUMN video_name;
ALTER TABLE submissions DROP COLUMN video_key;
DROP TABLE uploads;
