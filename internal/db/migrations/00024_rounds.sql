-- +goose Up
-- Judging rounds (issue 18): when a round (初评) is advanced, its assignments and reviews move
-- here whole, under the round's number, and stay readable and exportable; the assignments table
-- holds the current round only. round_works lists the works admitted to each later round, with
-- their rank and score in the round before.
CREATE TABLE round_reviews (
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    round         INTEGER NOT NULL,
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    judge_id      TEXT NOT NULL REFERENCES users (id),
    position      INTEGER NOT NULL,
    scores        TEXT NOT NULL DEFAULT '',
    comment       TEXT NOT NULL DEFAULT '',
    saved_at      TIMESTAMPTZ,
    submitted_at  TIMESTAMPTZ,
    PRIMARY KEY (contest_id, round, submission_id, judge_id)
);
CREATE INDEX round_reviews_submission ON round_reviews (submission_id);

CREATE TABLE round_works (
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    round         INTEGER NOT NULL,
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    previous_rank INTEGER NOT NULL,
    previous_score DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (contest_id, round, submission_id)
);

-- +goose Down
DROP TABLE round_works;
DROP TABLE round_reviews;
