package db

import (
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
