package db

import (
	"context"
	"maps"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// The table submission_counts keeps how many works each contest has in each status, so the
// organizer's list shows its counts without counting every work on every view. The stores
// that change a work's status — creating, updating, deleting it, and finishing an upload that
// sends it back to draft — adjust it in the same transaction; every status change also bumps
// the work's version, so the status stored at a version is the one to move the count from.

// moveCount moves one work of a contest from status from to status to ("" for none: created
// or deleted). Counts are changed in the order of their status names, so two transactions
// moving works in opposite directions lock the rows in the same order and cannot deadlock.
func moveCount(tx *gorm.DB, contestID string, from, to contest.Status) error {
	if from == to {
		return nil
	}
	deltas := map[contest.Status]int64{}
	if from != "" {
		deltas[from]--
	}
	if to != "" {
		deltas[to]++
	}
	for _, st := range slices.Sorted(maps.Keys(deltas)) {
		err := tx.Exec(`INSERT INTO submission_counts (contest_id, status, n) VALUES (?, ?, ?)
			ON CONFLICT (contest_id, status) DO UPDATE SET n = submission_counts.n + excluded.n`,
			contestID, string(st), deltas[st]).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// storedStatus returns the contest and status of a work as stored at version (any version
// when version is 0), locking the row on PostgreSQL until the transaction ends. A work not
// found at that version gives found false.
func storedStatus(tx *gorm.DB, id string, version int) (contestID string, status contest.Status, found bool, err error) {
	var row struct {
		ContestID string
		Status    string
	}
	q := tx.Model(&submissionRow{}).Clauses(clause.Locking{Strength: "UPDATE"}).Select("contest_id, status").Where("id = ?", id)
	if version != 0 {
		q = q.Where("version = ?", version)
	}
	res := q.Limit(1).Find(&row)
	if res.Error != nil || res.RowsAffected == 0 {
		return "", "", false, res.Error
	}
	return row.ContestID, contest.Status(row.Status), true, nil
}

// contestCounts returns the maintained counts per status of a contest.
func contestCounts(g *gorm.DB, contestID string) (map[contest.Status]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := g.Table("submission_counts").Select("status, n").Where("contest_id = ? AND n <> 0", contestID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[contest.Status]int64, len(rows))
	for _, r := range rows {
		out[contest.Status(r.Status)] = r.N
	}
	return out, nil
}

// RecountSubmissions counts every contest's works per status and corrects the kept counts
// where they differ, returning how many it corrected. The kept counts follow every change made
// by this version's stores; a count can drift only through a writer that does not keep them (a
// replica of an older version during an upgrade, a hand-made change in the database). It runs
// with the housekeeping. Per contest, in one transaction that first locks the contest's count
// rows on PostgreSQL: a change of status keeps its count row locked until it commits, so the
// works counted here and the count rows written agree.
func (db *DB) RecountSubmissions(ctx context.Context) (int, error) {
	var contests []string
	if err := db.gorm.WithContext(ctx).Model(&submissionRow{}).Distinct("contest_id").Pluck("contest_id", &contests).Error; err != nil {
		return 0, translate(err, "作品")
	}
	fixed := 0
	for _, id := range contests {
		err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var held []string
			if err := tx.Table("submission_counts").Clauses(clause.Locking{Strength: "UPDATE"}).Where("contest_id = ?", id).
				Order("status").Pluck("status", &held).Error; err != nil {
				return err
			}
			kept, err := contestCounts(tx, id)
			if err != nil {
				return err
			}
			var rows []struct {
				Status string
				N      int64
			}
			if err := tx.Model(&submissionRow{}).Select("status, COUNT(*) AS n").Where("contest_id = ?", id).Group("status").Scan(&rows).Error; err != nil {
				return err
			}
			actual := map[contest.Status]int64{}
			for _, r := range rows {
				actual[contest.Status(r.Status)] = r.N
			}
			for _, st := range slices.Sorted(maps.Keys(mergedKeys(kept, actual))) {
				if kept[st] == actual[st] {
					continue
				}
				err := tx.Exec(`INSERT INTO submission_counts (contest_id, status, n) VALUES (?, ?, ?)
					ON CONFLICT (contest_id, status) DO UPDATE SET n = excluded.n`, id, string(st), actual[st]).Error
				if err != nil {
					return err
				}
				fixed++
			}
			return nil
		})
		if err != nil {
			return fixed, translate(err, "作品")
		}
	}
	return fixed, nil
}

// mergedKeys is the set of statuses in either map.
func mergedKeys(a, b map[contest.Status]int64) map[contest.Status]bool {
	out := map[contest.Status]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
