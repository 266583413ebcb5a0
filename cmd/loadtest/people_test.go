package main

import (
	"testing"

	"github.com/jskx/contest/internal/contest"
)

// TestIDNumber_ValidAndDistinct: every generated number passes the server's GB 11643 check, and
// no two contestants of a run share one.
func TestIDNumber_ValidAndDistinct(t *testing.T) {
	for _, salt := range []int{0, 1, 9_999, 123_457, 999_999} {
		seen := map[string]int{}
		for k := range 30_000 {
			id := idNumber(k, salt)
			if _, ferr := contest.ValidateIDNumber(contest.IDResident, id); ferr != nil {
				t.Fatalf("salt %d, k %d: %s: %s (%s)", salt, k, id, ferr.Code, ferr.Message)
			}
			if j, ok := seen[id]; ok {
				t.Fatalf("salt %d: k %d and %d both get %s", salt, j, k, id)
			}
			seen[id] = k
		}
	}
}

// TestForm_TeamIsValidAndDistinct: the lead and the second participant differ in name and
// number, the lead is the contact, and addresses differ per contestant.
func TestForm_TeamIsValidAndDistinct(t *testing.T) {
	names := map[string]bool{}
	addrs := map[string]bool{}
	for i := range 500 {
		f := newForm("r1", i, 42)
		if f.Lead.Name == f.Other.Name || f.Lead.IDNumber == f.Other.IDNumber {
			t.Fatalf("contestant %d: lead and participant alike: %+v %+v", i, f.Lead, f.Other)
		}
		reg := f.Body["registration"].(map[string]any)
		if reg["lead_name"] != f.Lead.Name || reg["contact_id_number"] != f.Lead.IDNumber {
			t.Fatalf("contestant %d: the lead is not the contact: %v", i, reg)
		}
		if _, ferr := contest.ValidateMobile(reg["mobile"].(string)); ferr != nil {
			t.Fatalf("contestant %d: mobile %v: %s", i, reg["mobile"], ferr.Message)
		}
		names[f.Title] = true
		addrs[clientAddr(i, false)], addrs[clientAddr(i, true)] = true, true
	}
	if len(names) != 500 || len(addrs) != 1000 {
		t.Fatalf("%d distinct titles, %d distinct addresses; want 500 and 1000", len(names), len(addrs))
	}
}
