package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db/dbtest"
)

// TestStores_AnAccountIsCreatedWithItsSessionOrNotAtAll: a sign-up stores the account and its
// session together; when the session cannot be stored, no account is left behind.
func TestStores_AnAccountIsCreatedWithItsSessionOrNotAtAll(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			st := dbtest.MustOpen(t, dialect, dbtest.MustBox(t)).Stores()
			ctx := context.Background()
			now := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
			account := func(email, tokenHash string) (contest.User, contest.Session) {
				u := contest.User{ID: contest.NewID(), Email: email, Name: "张三", Role: contest.RoleContestant, PasswordHash: "x", CreatedAt: now}
				return u, contest.Session{TokenHash: tokenHash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			}
			u, s := account("a@example.org", "hash-a")
			if err := st.CreateAccount(ctx, &u, &s); err != nil {
				t.Fatal(err)
			}
			if got, err := st.SessionByTokenHash(ctx, "hash-a"); err != nil || got.UserID != u.ID {
				t.Fatalf("the account's session: %+v, %v", got, err)
			}
			// The second account's session clashes with the first's: neither is stored.
			u2, s2 := account("b@example.org", "hash-a")
			if err := st.CreateAccount(ctx, &u2, &s2); err == nil {
				t.Fatal("an account with a clashing session was stored")
			}
			if _, err := st.UserByEmail(ctx, "b@example.org"); contest.ErrorCode(err) != contest.ENotFound {
				t.Fatalf("the account whose session failed: %v, want not found", err)
			}
			u3, s3 := account("a@example.org", "hash-c")
			if err := st.CreateAccount(ctx, &u3, &s3); contest.ErrorCode(err) != contest.EConflict {
				t.Fatalf("a taken email: %v, want conflict", err)
			}
			if _, err := st.SessionByTokenHash(ctx, "hash-c"); contest.ErrorCode(err) != contest.ENotFound {
				t.Fatalf("the session of a refused account: %v, want not found", err)
			}
		})
	}
}
