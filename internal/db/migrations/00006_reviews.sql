-- +goose Up
-- A contest's judging settings (rubric, judges per work, award quotas) as JSON; '' means the
-- notice's defaults.
ALTER TABLE contests ADD COLUMN judging TEXT NOT NULL DEFAULT '';

-- Which judge reviews which work, in the judge's own random order, with the judge's scores
-- (JSON by criterion) once saved, and submitted_at once submitted.
CREATE TABLE assignments (
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    judge_id      TEXT NOT NULL REFERENCES users (id),
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    position      INTEGER NOT NULL,
    scores        TEXT NOT NULL DEFAULT '',
    comment       TEXT NOT NULL DEFAULT '',
    saved_at      TIMESTAMPTZ,
    submitted_at  TIMESTAMPTZ,
    PRIMARY KEY (submission_id, judge_id)
);
CREATE INDEX assignments_judge ON assignments (judge_id, position);
CREATE INDEX assignments_contest ON assignments (contest_id);

-- Works a judge declared a conflict of interest with (回避); never assigned to them again.
CREATE TABLE judge_conflicts (
    judge_id      TEXT NOT NULL REFERENCES users (id),
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    reason        TEXT NOT NULL DEFAULT '',
    declared_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (judge_id, submission_id)
);

-- +goose Down
DROP TABLE judge_conflicts;
DROP TABLE assignments;
ALTER TABLE contests DROP COLUMN judging;
