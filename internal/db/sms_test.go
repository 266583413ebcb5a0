package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db/dbtest"
)

// An account's number is stored sealed, with its mask beside it; accounts read back carry only
// the mask, and removing the number clears both.
func TestUserMobile_IsSealedAtRestAndReadBackMasked(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			st, ctx := d.Stores(), context.Background()
			now := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
			u := contest.User{ID: contest.NewID(), Email: "a@example.org", Name: "张三", Role: contest.RoleContestant, PasswordHash: "x",
				CreatedAt: now, Mobile: "13800138000"}
			s := contest.Session{TokenHash: "h", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := st.CreateAccount(ctx, &u, &s); err != nil {
				t.Fatal(err)
			}
			rows, err := d.RawRows(ctx, "SELECT mobile_enc, mobile_masked FROM users WHERE email = 'a@example.org'")
			if err != nil || len(rows) != 1 {
				t.Fatal(rows, err)
			}
			if enc := fmt.Sprint(rows[0]["mobile_enc"]); enc == "" || strings.Contains(enc, "13800138000") || rows[0]["mobile_masked"] != "138****8000" {
				t.Errorf("stored %v, want the number sealed and its mask", rows[0])
			}
			got, err := st.UserByID(ctx, u.ID)
			if err != nil || got.MobileMasked != "138****8000" || got.Mobile != "" {
				t.Errorf("read back %+v, %v: want only the mask", got, err)
			}
			if err := st.SetUserMobile(ctx, u.ID, ""); err != nil {
				t.Fatal(err)
			}
			rows, _ = d.RawRows(ctx, "SELECT mobile_enc, mobile_masked FROM users WHERE email = 'a@example.org'")
			if rows[0]["mobile_enc"] != "" || rows[0]["mobile_masked"] != "" {
				t.Errorf("after removal: %v", rows[0])
			}
			if err := st.SetUserMobile(ctx, "nobody", "13800138000"); contest.ErrorCode(err) != contest.ENotFound {
				t.Errorf("another id: %v, want not found", err)
			}
		})
	}
}

// Two replicas taking a number's next place from the same rate: only one gets it.
func TestSMSRate_OnlyOneSwapFromTheSameRateWins(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			st, ctx := dbtest.MustOpen(t, dialect, dbtest.MustBox(t)).Stores(), context.Background()
			at := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
			first := contest.SMSRate{LastSentAt: &at, Day: "2022-05-15", DayCount: 1, Version: 1}
			for i, want := range []bool{true, false} {
				if ok, err := st.SwapSMSRate(ctx, "key", contest.SMSRate{}, first); err != nil || ok != want {
					t.Fatalf("insert %d: %v, %v; want %v", i, ok, err, want)
				}
			}
			later := at.Add(time.Minute)
			second := contest.SMSRate{LastSentAt: &later, Day: "2022-05-15", DayCount: 2, Version: 2}
			for i, want := range []bool{true, false} {
				if ok, err := st.SwapSMSRate(ctx, "key", first, second); err != nil || ok != want {
					t.Fatalf("update %d: %v, %v; want %v", i, ok, err, want)
				}
			}
			got, err := st.SMSRate(ctx, "key")
			if err != nil || got.DayCount != 2 || got.Version != 2 || !got.LastSentAt.Equal(later) {
				t.Errorf("rate = %+v, %v", got, err)
			}
			if none, err := st.SMSRate(ctx, "other"); err != nil || none.Version != 0 {
				t.Errorf("a number never sent to: %+v, %v", none, err)
			}
		})
	}
}
