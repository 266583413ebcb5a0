-- +goose Up
-- Several contests in one service (issue 17). A contest gets a slug for its URLs (/c/2023/…),
-- one contest is the default the unprefixed routes stand for, and a finished contest can be
-- archived (read-only). The contests already there are named by the year their collection opens
-- (a second one of the same year gets -2, -3…); the most recently created becomes the default, as
-- it was the contest the site ran.
ALTER TABLE contests ADD COLUMN slug TEXT NOT NULL DEFAULT '';
ALTER TABLE contests ADD COLUMN is_default BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contests ADD COLUMN archived_at TIMESTAMPTZ;
UPDATE contests SET slug = named.slug FROM (
    SELECT id, CASE WHEN n = 1 THEN y ELSE y || '-' || CAST(n AS TEXT) END AS slug FROM (
        SELECT id, substr(CAST(collection_start AS TEXT), 1, 4) AS y,
               row_number() OVER (PARTITION BY substr(CAST(collection_start AS TEXT), 1, 4) ORDER BY created_at, id) AS n
        FROM contests
    ) AS years
) AS named WHERE contests.id = named.id;
UPDATE contests SET is_default = TRUE WHERE id = (SELECT id FROM contests ORDER BY created_at DESC, id LIMIT 1);
CREATE UNIQUE INDEX contests_slug ON contests (slug);

-- Who judges or organizes which contest. A judge sees the works of the contests they are a
-- member of; an organizer who is not a site administrator runs only theirs. The judges already
-- there judge every contest already there (there was one).
CREATE TABLE contest_members (
    contest_id TEXT NOT NULL REFERENCES contests (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (contest_id, user_id)
);
CREATE INDEX contest_members_user ON contest_members (user_id);
INSERT INTO contest_members (contest_id, user_id, role, created_at)
    SELECT c.id, u.id, u.role, u.created_at FROM users u CROSS JOIN contests c WHERE u.role = 'judge';

-- A site administrator creates contests and runs all of them: the organizers already there.
ALTER TABLE users ADD COLUMN site_admin BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET site_admin = TRUE WHERE role = 'organizer';

-- The contest an audit entry is about ('' for the site's own: accounts); the entries already
-- there are the default contest's.
ALTER TABLE audit_log ADD COLUMN contest_id TEXT NOT NULL DEFAULT '';
UPDATE audit_log SET contest_id = COALESCE((SELECT id FROM contests WHERE is_default = TRUE), '');
CREATE INDEX audit_log_contest ON audit_log (contest_id, happened_at);

-- The links of the messages already there are the default contest's pages: they get its
-- prefix, as new ones do (contest.Contest.Path), so they stay right once another contest is the
-- default.
UPDATE notifications SET link = '/c/' || (SELECT slug FROM contests WHERE is_default = TRUE) || link
    WHERE link LIKE '/%' AND link NOT LIKE '/c/%' AND EXISTS (SELECT 1 FROM contests WHERE is_default = TRUE);

-- +goose Down
DROP INDEX audit_log_contest;
ALTER TABLE audit_log DROP COLUMN contest_id;
ALTER TABLE users DROP COLUMN site_admin;
DROP TABLE contest_members;
DROP INDEX contests_slug;
ALTER TABLE contests DROP COLUMN archived_at;
ALTER TABLE contests DROP COLUMN is_default;
ALTER TABLE contests DROP COLUMN slug;
