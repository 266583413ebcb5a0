-- +goose Up
-- Pages whose cost does not grow with other people's works (issue 14).

-- The organizer's list shows the newest change first: in this order a page of 50 is read off
-- the index instead of sorting every work of the contest.
CREATE INDEX submissions_contest_updated ON submissions (contest_id, updated_at DESC, id);

-- A contestant's works (我的作品), newest change first: found by contest and owner together,
-- already in the list's order, so no other work is read. Without it SQLite walks the whole
-- contest through one of the contest's other indexes.
CREATE INDEX submissions_contest_owner ON submissions (contest_id, owner_id, updated_at DESC, id);

-- A contestant's certificates on 我的作品, by work: the unique index on (submission_id,
-- recipient) covers only valid certificates, and the page shows revoked ones too.
CREATE INDEX certificates_submission ON certificates (submission_id);

-- How many works each contest has per status, kept by the stores in the transactions that
-- change a status (internal/db/counts.go), so the organizer's list shows its counts without
-- counting every work.
CREATE TABLE submission_counts (
    contest_id TEXT NOT NULL REFERENCES contests (id),
    status     TEXT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (contest_id, status)
);
INSERT INTO submission_counts (contest_id, status, n)
    SELECT contest_id, status, COUNT(*) FROM submissions GROUP BY contest_id, status;

-- +goose Down
DROP TABLE submission_counts;
DROP INDEX certificates_submission;
DROP INDEX submissions_contest_owner;
DROP INDEX submissions_contest_updated;
