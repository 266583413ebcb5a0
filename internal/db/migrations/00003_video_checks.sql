-- +goose Up
-- The media check of a submission's current video. The facts and reasons are JSON; the facts
-- the organizer's list filters and sorts on are columns of their own. A video uploaded before
-- this migration starts at checking with no check queued (video_check_queued_at NULL); the
-- housekeeper queues its check.
ALTER TABLE submissions ADD COLUMN video_check TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_facts TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_warnings TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_check_error TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN video_check_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN video_checked_at TIMESTAMPTZ;
ALTER TABLE submissions ADD COLUMN video_check_queued_at TIMESTAMPTZ;
ALTER TABLE submissions ADD COLUMN video_poster BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE submissions ADD COLUMN video_web_copy BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE submissions ADD COLUMN video_check_done BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE submissions ADD COLUMN video_duration DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN video_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN video_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN video_codec TEXT NOT NULL DEFAULT '';
UPDATE submissions SET video_check = 'checking' WHERE video_key <> '';
CREATE INDEX submissions_video_check ON submissions (contest_id, video_check);

-- +goose Down
DROP INDEX submissions_video_check;
ALTER TABLE submissions DROP COLUMN video_codec;
ALTER TABLE submissions DROP COLUMN video_height;
ALTER TABLE submissions DROP COLUMN video_width;
ALTER TABLE submissions DROP COLUMN video_duration;
ALTER TABLE submissions DROP COLUMN video_check_done;
ALTER TABLE submissions DROP COLUMN video_web_copy;
ALTER TABLE submissions DROP COLUMN video_poster;
ALTER TABLE submissions DROP COLUMN video_check_queued_at;
ALTER TABLE submissions DROP COLUMN video_checked_at;
ALTER TABLE submissions DROP COLUMN video_check_attempts;
ALTER TABLE submissions DROP COLUMN video_check_error;
ALTER TABLE submissions DROP COLUMN video_warnings;
ALTER TABLE submissions DROP COLUMN video_reasons;
ALTER TABLE submissions DROP COLUMN video_facts;
ALTER TABLE submissions DROP COLUMN video_check;
