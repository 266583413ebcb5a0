-- +goose Up
-- How far the results have gone public (公示, publishing) and the certificate template, as
-- JSON of contest.Publication; '' means the defaults.
ALTER TABLE contests ADD COLUMN publication TEXT NOT NULL DEFAULT '';
-- Counts the saves of publication: a save based on an older revision is refused.
ALTER TABLE contests ADD COLUMN publication_revision INTEGER NOT NULL DEFAULT 0;

-- The winning works as made public: snapshot of the confirmed awards taken when the 公示
-- starts, so the public pages and certificates show exactly what was in it. score is FLOAT8,
-- PostgreSQL's other name for DOUBLE PRECISION, only so that SQLite keeps the DOUBLE PRECISION
-- its databases always had here (see sqliteTypes in ../migrate_sqlite.go).
CREATE TABLE results (
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    tier          INTEGER NOT NULL,
    rank          INTEGER NOT NULL,
    score         FLOAT8 NOT NULL,
    title         TEXT NOT NULL,
    names         TEXT NOT NULL, -- JSON array, the lead creator first
    employer      TEXT NOT NULL,
    PRIMARY KEY (contest_id, submission_id)
);

-- Objections (异议) filed against works in the 公示, and the organizers' decisions. The
-- contact is encrypted.
CREATE TABLE objections (
    id            TEXT PRIMARY KEY,
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    work_title    TEXT NOT NULL,
    version       INTEGER NOT NULL, -- the awards version in the 公示 it was filed against
    name          TEXT NOT NULL,
    contact_enc   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL,
    decision      TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    TIMESTAMPTZ
);
CREATE INDEX objections_contest ON objections (contest_id, created_at);

-- Certificates issued; a revoked one stays so that its serial says so when verified.
CREATE TABLE certificates (
    serial        TEXT PRIMARY KEY,
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    tier          INTEGER NOT NULL,
    title         TEXT NOT NULL,
    names         TEXT NOT NULL,
    employer      TEXT NOT NULL,
    recipient     TEXT NOT NULL DEFAULT '',
    wording       TEXT NOT NULL DEFAULT '', -- fingerprint of the template it was issued with
    issued_at     TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX certificates_contest ON certificates (contest_id, serial);
-- At most one valid certificate per work and recipient, whatever happens concurrently.
CREATE UNIQUE INDEX certificates_valid ON certificates (submission_id, recipient) WHERE revoked_at IS NULL;

-- Works recommended to the national contest (推荐至全国).
CREATE TABLE recommendations (
    contest_id    TEXT NOT NULL REFERENCES contests (id),
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (contest_id, submission_id)
);

-- Packages built in the background (all certificates, the national package) and their
-- progress.
CREATE TABLE exports (
    id          TEXT PRIMARY KEY,
    contest_id  TEXT NOT NULL REFERENCES contests (id),
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    storage_key TEXT NOT NULL DEFAULT '',
    size        BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX exports_contest ON exports (contest_id, created_at);

-- +goose Down
DROP TABLE exports;
DROP TABLE recommendations;
DROP TABLE certificates;
DROP TABLE objections;
DROP TABLE results;
ALTER TABLE contests DROP COLUMN publication_revision;
ALTER TABLE contests DROP COLUMN publication;
