-- +goose Up
-- A video uploaded to replace one that passed its check (issue 16): the accepted video stays in
-- the submission's video columns while this one is checked. Passed, it moves there; refused, its
-- verdict stays here (its file deleted) to tell the contestant why, until the next upload. The
-- columns are those of the submission's video, with the same names and meanings.
CREATE TABLE video_candidates (
    submission_id         TEXT PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
    video_key             TEXT NOT NULL,
    video_name            TEXT NOT NULL DEFAULT '',
    video_content_type    TEXT NOT NULL DEFAULT '',
    video_size            BIGINT NOT NULL DEFAULT 0,
    video_checksum        TEXT NOT NULL DEFAULT '',
    video_started_at      TIMESTAMPTZ NOT NULL,
    video_uploaded_at     TIMESTAMPTZ NOT NULL,
    video_check           TEXT NOT NULL DEFAULT '',
    video_facts           TEXT NOT NULL DEFAULT '',
    video_reasons         TEXT NOT NULL DEFAULT '',
    video_warnings        TEXT NOT NULL DEFAULT '',
    video_check_error     TEXT NOT NULL DEFAULT '',
    video_check_attempts  INTEGER NOT NULL DEFAULT 0,
    video_checked_at      TIMESTAMPTZ,
    video_check_queued_at TIMESTAMPTZ,
    video_poster          BOOLEAN NOT NULL DEFAULT FALSE,
    video_web_copy        BOOLEAN NOT NULL DEFAULT FALSE,
    video_check_done      BOOLEAN NOT NULL DEFAULT FALSE,
    video_duration        DOUBLE PRECISION NOT NULL DEFAULT 0,
    video_width           INTEGER NOT NULL DEFAULT 0,
    video_height          INTEGER NOT NULL DEFAULT 0,
    video_codec           TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE video_candidates;
