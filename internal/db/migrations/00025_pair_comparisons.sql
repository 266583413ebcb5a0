-- +goose Up
-- The pairwise check at the award cuts (成对比较复核, issue 18): one judge's comparison of two
-- works at the cuts of one judging round's ranking, shown as A and B in a random order; winner is
-- the submission the judge chose ('' until chosen), with an optional short reason.
CREATE TABLE pair_comparisons (
    id         TEXT NOT NULL PRIMARY KEY,
    contest_id TEXT NOT NULL REFERENCES contests (id),
    round      INTEGER NOT NULL DEFAULT 1,
    work_a     TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    work_b     TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    judge_id   TEXT NOT NULL REFERENCES users (id),
    winner     TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ
);
CREATE INDEX pair_comparisons_contest ON pair_comparisons (contest_id, round);

-- +goose Down
DROP TABLE pair_comparisons;
