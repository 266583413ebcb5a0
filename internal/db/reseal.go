package db

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// ResealCounts says how many sealed values a re-seal moved onto the current key, by table.
type ResealCounts struct {
	Submissions, Participants, Objections, Users int
}

// Total is how many rows changed.
func (n ResealCounts) Total() int { return n.Submissions + n.Participants + n.Objections + n.Users }

// sealedColumn is a sealed column, its field name, and the column holding its search index
// (or the consent link's key), if any.
type sealedColumn struct {
	column, field, index string
	// indexOf turns the plaintext into what the index column holds.
	indexOf func(db *DB, plain string) string
}

// sealedTables are the tables with sealed personal values, by primary key.
var sealedTables = []struct {
	table   string
	columns []sealedColumn
	count   func(*ResealCounts) *int
}{
	{"submissions", []sealedColumn{
		{"contact_id_enc", fieldContactID, "contact_id_index", func(db *DB, p string) string { return db.box.Index(p) }},
		{"mobile_enc", fieldMobile, "mobile_index", func(db *DB, p string) string { return db.box.Index(p) }},
	}, func(n *ResealCounts) *int { return &n.Submissions }},
	{"participants", []sealedColumn{
		{"id_enc", fieldPartID, "id_index", func(db *DB, p string) string { return db.box.Index(p) }},
		{"consent_token_enc", fieldConsentToken, "consent_token", func(db *DB, p string) string { return db.consentTokenKey(p) }},
	}, func(n *ResealCounts) *int { return &n.Participants }},
	{"objections", []sealedColumn{{"contact_enc", fieldObjectionContact, "", nil}}, func(n *ResealCounts) *int { return &n.Objections }},
	{"users", []sealedColumn{{"mobile_enc", fieldUserMobile, "", nil}}, func(n *ResealCounts) *int { return &n.Users }},
}

// resealBatch is how many rows are read at a time.
const resealBatch = 500

// ResealPersonalData seals again, under the current key, every personal value sealed under a
// previous one (a key rotation: the box was opened with the new key and the old), and
// recomputes its search index. The service keeps running meanwhile: each row is changed only if
// its sealed values are still those read, in a transaction of its own, so a concurrent edit is
// never overwritten (a row changed meanwhile was sealed under the new key by that edit). Running
// it again changes nothing.
func (db *DB) ResealPersonalData(ctx context.Context) (ResealCounts, error) {
	var n ResealCounts
	for _, t := range sealedTables {
		cols := []string{"id"}
		for _, c := range t.columns {
			cols = append(cols, c.column)
		}
		last := ""
		for {
			var rows []map[string]any
			err := db.gorm.WithContext(ctx).Table(t.table).Select(cols).Where("id > ?", last).Order("id").Limit(resealBatch).Find(&rows).Error
			if err != nil {
				return n, fmt.Errorf("db: reseal %s: %w", t.table, err)
			}
			for _, r := range rows {
				changed, err := db.resealRow(ctx, t.table, t.columns, r)
				if err != nil {
					return n, fmt.Errorf("db: reseal %s %v: %w", t.table, r["id"], err)
				}
				if changed {
					*t.count(&n)++
				}
			}
			if len(rows) < resealBatch {
				break
			}
			last = fmt.Sprint(rows[len(rows)-1]["id"])
		}
	}
	return n, nil
}

// resealRow seals the row's values again where a previous key sealed them.
func (db *DB) resealRow(ctx context.Context, table string, columns []sealedColumn, r map[string]any) (bool, error) {
	changes, where := map[string]any{}, map[string]any{"id": r["id"]}
	for _, c := range columns {
		sealed := fmt.Sprint(r[c.column])
		if r[c.column] == nil || sealed == "" {
			continue
		}
		out, changed, err := db.box.Reseal(c.field, sealed)
		if err != nil {
			return false, fmt.Errorf("%s: %w", c.column, err)
		}
		if !changed {
			continue
		}
		changes[c.column], where[c.column] = out, sealed
		if c.index != "" {
			plain, err := db.box.Open(c.field, out)
			if err != nil {
				return false, err
			}
			changes[c.index] = c.indexOf(db, plain)
		}
	}
	if len(changes) == 0 {
		return false, nil
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Table(table).Where(where).Updates(changes).Error
	})
	return err == nil, err
}

// ConsentScanKeys returns the storage keys of every stored scan of a signed 授权书, in every
// contest: the files a key rotation seals again.
func (db *DB) ConsentScanKeys(ctx context.Context) ([]string, error) {
	var keys []string
	err := db.gorm.WithContext(ctx).Model(&submissionRow{}).Where("scan_key <> ''").Order("scan_key").Pluck("scan_key", &keys).Error
	return keys, translate(err, "扫描件")
}

// ConsentScanInUse reports whether a work still names the scan under key (a contestant may
// replace it while a re-seal runs).
func (db *DB) ConsentScanInUse(ctx context.Context, key string) (bool, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&submissionRow{}).Where("scan_key = ?", key).Count(&n).Error
	return n > 0, translate(err, "扫描件")
}
