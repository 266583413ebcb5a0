-- +goose Up
-- Reference numbers (issue 15): a work's 报名编号 (2026-000123) and an objection's 异议编号
-- (YY-2026-0007), numbered per contest from the series in contest_numbers, and the signed-in
-- filer of an objection, who is told its decision.
CREATE TABLE contest_numbers (
    contest_id  TEXT NOT NULL REFERENCES contests (id),
    series      TEXT NOT NULL, -- work, objection
    last_number BIGINT NOT NULL,
    PRIMARY KEY (contest_id, series)
);

ALTER TABLE submissions ADD COLUMN reference TEXT NOT NULL DEFAULT '';
-- The works already there are numbered in the order they were created, with the contest's year.
UPDATE submissions SET reference = numbered.reference FROM (
    SELECT s.id, substr(CAST(c.collection_start AS TEXT), 1, 4) || '-' ||
           substr(CAST(1000000 + row_number() OVER (PARTITION BY s.contest_id ORDER BY s.created_at, s.id) AS TEXT), 2) AS reference
    FROM submissions s JOIN contests c ON c.id = s.contest_id
) AS numbered WHERE submissions.id = numbered.id;
CREATE UNIQUE INDEX submissions_reference ON submissions (contest_id, reference);
INSERT INTO contest_numbers (contest_id, series, last_number)
    SELECT contest_id, 'work', COUNT(*) FROM submissions GROUP BY contest_id;

ALTER TABLE objections ADD COLUMN reference TEXT NOT NULL DEFAULT '';
ALTER TABLE objections ADD COLUMN filed_by TEXT NOT NULL DEFAULT '';
UPDATE objections SET reference = numbered.reference FROM (
    SELECT o.id, 'YY-' || substr(CAST(c.collection_start AS TEXT), 1, 4) || '-' ||
           substr(CAST(10000 + row_number() OVER (PARTITION BY o.contest_id ORDER BY o.created_at, o.id) AS TEXT), 2) AS reference
    FROM objections o JOIN contests c ON c.id = o.contest_id
) AS numbered WHERE objections.id = numbered.id;
CREATE UNIQUE INDEX objections_reference ON objections (contest_id, reference);
INSERT INTO contest_numbers (contest_id, series, last_number)
    SELECT contest_id, 'objection', COUNT(*) FROM objections GROUP BY contest_id;

-- +goose Down
DROP INDEX objections_reference;
ALTER TABLE objections DROP COLUMN filed_by;
ALTER TABLE objections DROP COLUMN reference;
DROP INDEX submissions_reference;
ALTER TABLE submissions DROP COLUMN reference;
DROP TABLE contest_numbers;
