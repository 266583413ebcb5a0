-- +goose Up
-- The organizers' award decisions: a tier set by hand (with its reason) differing from the
-- proposal, and, once confirmed, every winning work's tier as frozen.
CREATE TABLE awards (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    tier          INTEGER NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    set_by        TEXT NOT NULL,
    set_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX awards_contest ON awards (contest_id);

-- +goose Down
DROP TABLE awards;
