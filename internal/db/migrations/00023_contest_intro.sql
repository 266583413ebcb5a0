-- +goose Up
-- A contest's own introduction (活动简介) on its home page (issue 17): a sibling activity (主题征文,
-- 摄影展) is not a video contest. '' shows the notice's text (contest.DefaultIntro).
ALTER TABLE contests ADD COLUMN intro TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contests DROP COLUMN intro;
