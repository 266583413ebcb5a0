package db

import "github.com/jskx/contest/internal/contest"

// Stores are the stores by area over one connection; together they implement the domain's
// contest.Stores, each method promoted from the store of its area.
type Stores struct {
	*Accounts
	*Contests
	*Submissions
	*Uploads
	*AuditLog
	*Reviews
	*Publication
	*ExportJobs
	*Notifications
	*Reminders
	*AccountTokens
	*Pairwise
	*Scans
}

var _ contest.Stores = (*Stores)(nil)

// Stores returns the stores over this connection, as contest.New takes them.
func (db *DB) Stores() *Stores {
	return &Stores{
		Accounts:      &Accounts{db: db},
		Contests:      &Contests{db: db},
		Submissions:   &Submissions{db: db},
		Uploads:       &Uploads{db: db},
		AuditLog:      &AuditLog{db: db},
		Reviews:       &Reviews{db: db},
		Publication:   &Publication{db: db},
		ExportJobs:    &ExportJobs{db: db},
		Notifications: &Notifications{db: db},
		Reminders:     &Reminders{db: db},
		AccountTokens: &AccountTokens{db: db},
		Pairwise:      &Pairwise{db: db},
		Scans:         &Scans{db: db},
	}
}
