-- +goose Up
-- The content scan of each accepted video (issue 19): text on screen naming the work's makers or
-- their units, the same video in other works, subtitles and sound. One row per stored video
-- (video_key), deleted with its work; a replaced video's row is deleted when its successor's
-- scan is saved. findings is JSON (contest.ScanFindings); hashes the perceptual hashes of one
-- frame a second, base64 of 12 bytes each (time in milliseconds, uint32; hash, uint64; big
-- endian); flagged says the findings name a participant or unit, or another work (what the list's
-- filter 画面提示待处理 selects while cleared_at is NULL). cleared_* is an organizer's acceptance
-- of the findings.
CREATE TABLE video_scans (
    video_key     TEXT NOT NULL PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    state         TEXT NOT NULL,
    findings      TEXT NOT NULL DEFAULT '',
    flagged       BOOLEAN NOT NULL DEFAULT FALSE,
    hashes        TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    queued_at     TIMESTAMPTZ NOT NULL,
    scanned_at    TIMESTAMPTZ,
    cleared_by    TEXT NOT NULL DEFAULT '',
    cleared_at    TIMESTAMPTZ,
    cleared_note  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX video_scans_contest ON video_scans (contest_id, state);
CREATE INDEX video_scans_submission ON video_scans (submission_id);

-- +goose Down
DROP TABLE video_scans;
