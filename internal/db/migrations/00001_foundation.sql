-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE contests (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    theme                 TEXT NOT NULL,
    organizer             TEXT NOT NULL,
    time_zone             TEXT NOT NULL,
    collection_start      TIMESTAMPTZ NOT NULL,
    collection_end        TIMESTAMPTZ NOT NULL,
    review_start          TIMESTAMPTZ NOT NULL,
    review_end            TIMESTAMPTZ NOT NULL,
    rule_container        TEXT NOT NULL,
    rule_max_duration_sec INTEGER NOT NULL,
    rule_min_short_side   INTEGER NOT NULL,
    rule_max_size_bytes   BIGINT NOT NULL,
    authorization_text    TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE submissions (
    id                TEXT PRIMARY KEY,
    contest_id        TEXT NOT NULL REFERENCES contests (id),
    owner_id          TEXT NOT NULL REFERENCES users (id),
    status            TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    title             TEXT NOT NULL,
    lead_name         TEXT NOT NULL,
    employer          TEXT NOT NULL,
    contact_name      TEXT NOT NULL,
    contact_id_type   TEXT NOT NULL,
    contact_id_enc    TEXT NOT NULL,
    contact_id_index  TEXT NOT NULL,
    contact_id_masked TEXT NOT NULL,
    mobile_enc        TEXT NOT NULL,
    mobile_index      TEXT NOT NULL,
    mobile_masked     TEXT NOT NULL,
    email             TEXT NOT NULL,
    wechat            TEXT NOT NULL,
    address           TEXT NOT NULL,
    postal_code       TEXT NOT NULL,
    description       TEXT NOT NULL,
    scan_key          TEXT NOT NULL DEFAULT '',
    scan_name         TEXT NOT NULL DEFAULT '',
    scan_content_type TEXT NOT NULL DEFAULT '',
    scan_size         BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    submitted_at      TIMESTAMPTZ
);
CREATE INDEX submissions_contest_status ON submissions (contest_id, status);
CREATE INDEX submissions_owner ON submissions (owner_id);
CREATE INDEX submissions_contact_id_index ON submissions (contact_id_index);
CREATE INDEX submissions_mobile_index ON submissions (mobile_index);

CREATE TABLE participants (
    id                TEXT PRIMARY KEY,
    submission_id     TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    id_type           TEXT NOT NULL,
    id_enc            TEXT NOT NULL,
    id_index          TEXT NOT NULL,
    id_masked         TEXT NOT NULL,
    employer          TEXT NOT NULL,
    consent_token     TEXT NOT NULL UNIQUE,
    consent_name      TEXT NOT NULL DEFAULT '',
    consent_title     TEXT NOT NULL DEFAULT '',
    consent_text      TEXT NOT NULL DEFAULT '',
    consent_text_hash TEXT NOT NULL DEFAULT '',
    consent_ip        TEXT NOT NULL DEFAULT '',
    consent_by_owner  BOOLEAN NOT NULL DEFAULT FALSE,
    consent_at        TIMESTAMPTZ
);
CREATE INDEX participants_submission ON participants (submission_id, position);
CREATE INDEX participants_id_index ON participants (id_index);

-- +goose Down
DROP TABLE participants;
DROP TABLE submissions;
DROP TABLE contests;
DROP TABLE sessions;
DROP TABLE users;
