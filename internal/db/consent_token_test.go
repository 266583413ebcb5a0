package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
)

// TestConsentTokens_SealedAtRestAndLinksKeepWorking: the links participants sign through are
// secrets; the database holds only their keyed hash and their sealed form, and tokens stored in
// clear before are sealed by the migration without breaking the links already sent.
func TestConsentTokens_SealedAtRestAndLinksKeepWorking(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background() // tokens tok-1 and tok-2
		clear := func(token string) bool {
			rows, err := d.RawRows(ctx, "SELECT consent_token, consent_token_enc FROM participants")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if fmt.Sprint(r["consent_token"]) == token || strings.Contains(fmt.Sprint(r["consent_token_enc"]), token) {
					return true
				}
			}
			return false
		}
		if clear("tok-1") || clear("tok-2") {
			t.Error("a consent token is stored in clear")
		}
		if got, i, err := st.ParticipantByConsentToken(ctx, "tok-2"); err != nil || got.ID != s.ID || i != 1 {
			t.Fatalf("link tok-2: %v, %d, %v", got.ID, i, err)
		}
		if own, _ := st.SubmissionByID(ctx, s.ID); own.Participants[0].ConsentToken != "tok-1" {
			t.Errorf("the owner's view lost the link: %q", own.Participants[0].ConsentToken)
		}

		// A token stored in clear before the change: the migration seals it; its link works.
		if err := d.RawExec(ctx, "UPDATE participants SET consent_token = 'legacy-link-token', consent_token_enc = '' WHERE id = ?", s.Participants[1].ID); err != nil {
			t.Fatal(err)
		}
		if n, err := d.SealConsentTokens(ctx); err != nil || n != 1 {
			t.Fatalf("sealed %d tokens: %v, want 1", n, err)
		}
		if clear("legacy-link-token") {
			t.Error("the legacy token is still in clear")
		}
		if _, i, err := st.ParticipantByConsentToken(ctx, "legacy-link-token"); err != nil || i != 1 {
			t.Fatalf("legacy link: %d, %v", i, err)
		}
		if n, _ := d.SealConsentTokens(ctx); n != 0 {
			t.Errorf("a second run sealed %d tokens again", n)
		}
	})
}
