-- +goose Up
-- Categories (组别) inside a contest (issue 17): the contest's list, as JSON of
-- []contest.Category ('' for none); the key of each work's category ('' for none chosen); and
-- the category's name on each result and certificate as it was when they were made, so a
-- published list and a printed certificate keep it.
ALTER TABLE contests ADD COLUMN categories TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE results ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN category TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE certificates DROP COLUMN category;
ALTER TABLE results DROP COLUMN category;
ALTER TABLE submissions DROP COLUMN category;
ALTER TABLE contests DROP COLUMN categories;
