-- +goose Up
-- The fingerprints of the personal-data keys that have sealed this database's values (never the
-- keys): a replica started with a key the data has never seen (a typo, another site's key) is
-- refused instead of failing on every work it loads. A key rotation adds the new key's.
CREATE TABLE key_fingerprints (
    fingerprint TEXT NOT NULL PRIMARY KEY,
    first_seen  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE key_fingerprints;
