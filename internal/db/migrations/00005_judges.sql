-- +goose Up
-- Judges are users with role 'judge'; their employer decides conflicts of interest.
ALTER TABLE users ADD COLUMN employer TEXT NOT NULL DEFAULT '';

-- The organizers' formal review (形式审查) of a submitted work.
CREATE TABLE formal_reviews (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
    decision      TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL REFERENCES users (id),
    decided_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX formal_reviews_decision ON formal_reviews (decision);

-- Every change to judging data: who, when, what, before and after (JSON).
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,
    actor_id   TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    happened_at TIMESTAMPTZ NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    action     TEXT NOT NULL,
    before_json TEXT NOT NULL DEFAULT '',
    after_json  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (happened_at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE formal_reviews;
ALTER TABLE users DROP COLUMN employer;
