-- +goose Up
-- The organizers' texts of the notifications (issue 15): JSON of contest.NoticeTexts, the
-- edited kinds only; '' keeps every kind's default text.
ALTER TABLE contests ADD COLUMN notices TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contests DROP COLUMN notices;
