package db

import (
	"context"
	"fmt"
	"time"
)

// JobQueueStat is how many jobs of a kind are in one state of one queue, and for waiting
// jobs how long the oldest has been due.
type JobQueueStat struct {
	Queue, Kind, State string
	Count              int64
	// OldestDue is how long ago the oldest job became due to run (available jobs only).
	OldestDue time.Duration
}

// maxQueueStats bounds the rows one look at the queues returns (queues × kinds × states).
const maxQueueStats = 200

// JobQueueStats counts the jobs waiting, running, retrying and scheduled, by queue, kind and
// state, in one grouped query over River's table (its state index keeps it cheap however many
// jobs have completed). For a monitoring scrape.
func (db *DB) JobQueueStats(ctx context.Context) ([]JobQueueStat, error) {
	// The age is computed by the database, in its own clock and time format.
	age := "EXTRACT(EPOCH FROM now() - min(scheduled_at))"
	if db.dialect == SQLite {
		age = "(julianday('now') - julianday(min(scheduled_at))) * 86400"
	}
	var rows []struct {
		Queue, Kind, State string
		Count              int64
		Age                float64
	}
	err := db.gorm.WithContext(ctx).Raw(fmt.Sprintf(`SELECT queue, kind, state, count(*) AS count, %s AS age
		FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled')
		GROUP BY queue, kind, state ORDER BY queue, kind, state LIMIT %d`, age, maxQueueStats)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("db: job queue stats: %w", err)
	}
	out := make([]JobQueueStat, len(rows))
	for i, r := range rows {
		out[i] = JobQueueStat{Queue: r.Queue, Kind: r.Kind, State: r.State, Count: r.Count}
		if r.State == "available" && r.Age > 0 {
			out[i].OldestDue = time.Duration(r.Age * float64(time.Second))
		}
	}
	return out, nil
}
