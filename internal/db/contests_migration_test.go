package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
	"github.com/jskx/contest/internal/pii"
)

// singleContestVersion is the last schema of the single-contest service: 00021 makes it several.
const singleContestVersion = 20

// TestMigrations_SingleContestBecomesTheFirstContest (issue 17, item 6): an installation filled
// by the single-contest service is migrated as `contest migrate` does; every row of every table
// stays, the contest gets its year's slug and is the default, the judges become its members, the
// organizer a site administrator, the audit entries its own, every certificate serial verifies as
// before, and the service then runs it and starts a second contest beside it.
func TestMigrations_SingleContestBecomesTheFirstContest(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			box := dbtest.MustBox(t)
			d := dbtest.MustOpenEmpty(t, dialect, box)
			if err := d.MigrateTo(ctx, singleContestVersion); err != nil {
				t.Fatal(err)
			}
			old := fillSingleContest(t, d, box)
			before := snapshot(t, d)
			for table, rows := range before {
				if len(rows) == 0 {
					t.Errorf("table %s has no rows before the migration: fill it so the test covers it", table)
				}
			}

			if _, err := d.Migrate(ctx); err != nil {
				t.Fatalf("contest migrate on a single-contest database: %v", err)
			}
			after := snapshot(t, d)
			// The messages' links get the contest's prefix, as new ones have: nothing else changes.
			for _, r := range before["notifications"] {
				r["link"] = "/c/2022" + str(r["link"])
			}
			for table, rows := range before {
				if diff := rowsDiff(rows, after[table]); diff != "" {
					t.Errorf("table %s changed in the migration (the columns it had):\n%s", table, diff)
				}
			}

			st := d.Stores()
			svc := contest.New(st, nil, contest.Options{Now: func() time.Time { return old.now }})
			c, err := svc.Contests.CurrentContest(ctx)
			if err != nil || c.ID != old.contestID || c.Slug != "2022" || !c.Default || c.ArchivedAt != nil {
				t.Fatalf("current contest: %s slug %q default %v archived %v, %v; want %s, slug 2022, the default, live",
					c.ID, c.Slug, c.Default, c.ArchivedAt, err, old.contestID)
			}
			if bySlug, err := svc.Contests.ContestBySlug(ctx, "2022"); err != nil || bySlug.ID != old.contestID {
				t.Fatalf("contest 2022: %s, %v; want %s", bySlug.ID, err, old.contestID)
			}
			for _, j := range old.judges {
				if ok, err := st.IsMember(ctx, old.contestID, j); err != nil || !ok {
					t.Errorf("judge %s is not a member of the contest (%v)", j, err)
				}
			}
			admin, err := st.UserByID(ctx, old.organizer)
			if err != nil || !admin.IsSiteAdmin() {
				t.Fatalf("the organizer is not a site administrator: %+v, %v", admin, err)
			}
			for _, r := range query(t, d, "SELECT id, contest_id FROM audit_log") {
				if str(r["contest_id"]) != old.contestID {
					t.Errorf("audit entry %s is about contest %q, want %s", str(r["id"]), str(r["contest_id"]), old.contestID)
				}
			}
			for serial, revoked := range old.serials {
				v, err := svc.Publication.VerifyCertificate(ctx, serial)
				if err != nil || !v.Found || v.Contest.ID != old.contestID || (v.Certificate.RevokedAt != nil) != revoked {
					t.Errorf("certificate %s: found %v, contest %s, revoked %v, %v; want found in %s, revoked %v",
						serial, v.Found, v.Contest.ID, v.Certificate.RevokedAt, err, old.contestID, revoked)
				}
			}

			// A second contest next to it, as a site administrator starts next year's.
			settled := snapshot(t, d)
			next, err := svc.Contests.CreateContest(ctx, admin, contest.NewContestInput{Name: "2023年主题视频征集活动", Slug: "2023", CopyFrom: old.contestID,
				CollectionStart: date(2023, 5, 8), CollectionEnd: date(2023, 7, 1).Add(-time.Second),
				ReviewStart: date(2023, 7, 1), ReviewEnd: date(2023, 8, 1).Add(-time.Second)})
			if err != nil {
				t.Fatalf("second contest: %v", err)
			}
			now := snapshot(t, d)
			for table, rows := range settled {
				if table == "contests" || table == "audit_log" {
					continue // checked below: one row more each
				}
				if diff := rowsDiff(rows, now[table]); diff != "" {
					t.Errorf("starting a second contest changed table %s:\n%s", table, diff)
				}
			}
			for _, table := range []string{"contests", "audit_log"} {
				if got, want := len(now[table]), len(settled[table])+1; got != want {
					t.Errorf("%s: %d rows after starting a contest, want %d", table, got, want)
				}
				if missing := missingRows(settled[table], now[table]); len(missing) > 0 {
					t.Errorf("starting a second contest changed %s rows:\n%s", table, strings.Join(missing, "\n"))
				}
			}
			if c, err := svc.Contests.CurrentContest(ctx); err != nil || c.ID != old.contestID {
				t.Errorf("after starting %s the default is %s (%v), want still %s", next.ID, c.ID, err, old.contestID)
			}
			// The works stay 2022's: read there with their personal data, not found in 2023; the
			// participants' consent links already sent still open.
			in2022, in2023 := contest.InContest(ctx, old.contestID), contest.InContest(ctx, next.ID)
			if w, err := st.SubmissionByID(in2022, "s-1"); err != nil || w.Registration.ContactIDNumber != "320102199001010011" || len(w.Participants) != 2 {
				t.Errorf("work s-1 in 2022: %+v, %v", w.Registration, err)
			}
			if _, err := st.SubmissionByID(in2023, "s-1"); contest.ErrorCode(err) != contest.ENotFound {
				t.Errorf("work s-1 in 2023: %v, want not found", err)
			}
			if w, i, err := st.ParticipantByConsentToken(ctx, "link-s-2-1"); err != nil || w.ID != "s-2" || i != 1 {
				t.Errorf("consent link of s-2's second participant: %s, %d, %v", w.ID, i, err)
			}
			// Each contest's audit log: 2022's entries from before, the new one's its creation.
			for id, want := range map[string]int{old.contestID: 3, next.ID: 1} {
				if _, n, err := svc.Reports.Audit(contest.InContest(ctx, id), admin, contest.AuditFilter{}); err != nil || n != int64(want) {
					t.Errorf("audit log of contest %s: %d entries (%v), want %d", id, n, err, want)
				}
			}
		})
	}
}

// TestMigrations_ContestsOfOneYearGetNumberedSlugs: two contests whose collection opened in the
// same year are named 2022 and 2022-2, oldest first; the newest is the default; the judges
// there were judge both.
func TestMigrations_ContestsOfOneYearGetNumberedSlugs(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.MustOpenEmpty(t, dialect, dbtest.MustBox(t))
			if err := d.MigrateTo(ctx, singleContestVersion); err != nil {
				t.Fatal(err)
			}
			created := date(2022, 3, 1)
			// The newer one is inserted first and its collection opens earlier: the order is by creation.
			insertContest(t, d, "c-autumn", date(2022, 2, 1), created.AddDate(0, 1, 0))
			insertContest(t, d, "c-spring", date(2022, 5, 9), created)
			insertContest(t, d, "c-2021", date(2021, 5, 10), created.AddDate(-1, 0, 0))
			insertUser(t, d, "judge-1", contest.RoleJudge, created)
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			st := d.Stores()
			for slug, id := range map[string]string{"2022": "c-spring", "2022-2": "c-autumn", "2021": "c-2021"} {
				c, err := st.ContestBySlug(ctx, slug)
				if err != nil || c.ID != id {
					t.Errorf("contest %s: %s, %v; want %s", slug, c.ID, err, id)
				}
				if ok, err := st.IsMember(ctx, id, "judge-1"); err != nil || !ok {
					t.Errorf("the judge is not a member of %s (%v)", slug, err)
				}
			}
			if c, err := st.DefaultContest(ctx); err != nil || c.ID != "c-autumn" {
				t.Errorf("default contest: %s, %v; want the newest, c-autumn", c.ID, err)
			}
			if n := query(t, d, "SELECT count(*) AS n FROM contests WHERE is_default = TRUE"); str(n[0]["n"]) != "1" {
				t.Errorf("%s contests are the default, want 1", str(n[0]["n"]))
			}
		})
	}
}

// singleContest is what fillSingleContest stored.
type singleContest struct {
	now       time.Time
	contestID string
	organizer string
	judges    []string
	serials   map[string]bool // serial → revoked
}

// fillSingleContest stores, with the single-contest schema, what a finished contest leaves:
// accounts, works with their participants, formal review, judging, awards, published results,
// certificates (one revoked), an objection, audit entries, notifications and the rest.
func fillSingleContest(t *testing.T, d *db.DB, box *pii.Box) singleContest {
	t.Helper()
	const idNumber = "320102199001010011"
	at := date(2022, 9, 1)
	s := singleContest{now: at.AddDate(0, 1, 0), contestID: contest.SeedContestID, organizer: "u-org", judges: []string{"u-judge-1", "u-judge-2"},
		serials: map[string]bool{"2022-1-0001-K7Q4M2XA": false, "2022-2-0001-ZZ3P9RTB": false, "2022-2-0002-M4N8QW2C": true}}
	insertContest(t, d, s.contestID, date(2022, 5, 9), date(2022, 4, 20))
	insertUser(t, d, s.organizer, contest.RoleOrganizer, at)
	for _, j := range s.judges {
		insertUser(t, d, j, contest.RoleJudge, at)
	}
	works := []string{"s-1", "s-2", "s-3"}
	for i, w := range works {
		owner := fmt.Sprintf("u-contestant-%d", i+1)
		insertUser(t, d, owner, contest.RoleContestant, at)
		exec(t, d, `INSERT INTO submissions (id, contest_id, owner_id, status, title, lead_name, employer, contact_name, contact_id_type,
			contact_id_enc, contact_id_index, contact_id_masked, mobile_enc, mobile_index, mobile_masked, email, wechat, address,
			postal_code, description, created_at, updated_at, submitted_at, video_key, video_name, video_check_done, reference)
			VALUES (?, ?, ?, 'submitted', ?, '张三', '省科协', '张三', 'id_card', ?, ?, '3201**********0011', ?, ?,
			'139****0000', 'a@example.org', '', '南京市', '210000', '作品简介', ?, ?, ?, ?, '作品.mp4', TRUE, ?)`,
			w, s.contestID, owner, "作品"+w, seal(t, box, "submissions.contact_id", idNumber), box.Index(idNumber),
			seal(t, box, "submissions.mobile", "13900000000"), box.Index("13900000000"), at, at, at, "videos/"+w+".mp4", fmt.Sprintf("2022-%04d", i+1))
		for p := range 2 {
			token := fmt.Sprintf("link-%s-%d", w, p)
			exec(t, d, `INSERT INTO participants (id, submission_id, position, name, id_type, id_enc, id_index, id_masked, employer,
				consent_token, consent_token_enc, consent_name, consent_at) VALUES (?, ?, ?, '李四', 'id_card', ?, ?, '3201**0022', '省科协', ?, ?, '李四', ?)`,
				fmt.Sprintf("p-%s-%d", w, p), w, p, seal(t, box, "participants.id", idNumber), box.Index(idNumber),
				box.Index("consent-token:"+token), seal(t, box, "participants.consent_token", token), at)
		}
		exec(t, d, "INSERT INTO formal_reviews (submission_id, decision, decided_by, decided_at) VALUES (?, 'pass', ?, ?)", w, s.organizer, at)
		for pos, j := range s.judges {
			exec(t, d, `INSERT INTO assignments (submission_id, judge_id, contest_id, position, scores, comment, saved_at, submitted_at)
				VALUES (?, ?, ?, ?, ?, '好', ?, ?)`, w, j, s.contestID, pos, fmt.Sprintf(`{"theme":%d,"craft":%d}`, 30-i, 25-i), at, at)
		}
		exec(t, d, "INSERT INTO results (contest_id, submission_id, tier, rank, score, title, names, employer) VALUES (?, ?, ?, ?, ?, ?, '[\"张三\",\"李四\"]', '省科协')",
			s.contestID, w, min(i+1, 3), i+1, 90.5-float64(i), "作品"+w)
	}
	exec(t, d, "INSERT INTO uploads (id, submission_id, owner_id, storage_key, storage_id, file_name, content_type, size, part_size, part_count, file_modified, state, created_at, updated_at, expires_at, completed_at) VALUES ('up-1', 's-1', 'u-contestant-1', 'videos/s-1.mp4', 'sid-1', '作品.mp4', 'video/mp4', 100, 100, 1, 0, 'completed', ?, ?, ?, ?)", at, at, at, at)
	exec(t, d, "INSERT INTO video_candidates (submission_id, video_key, video_started_at, video_uploaded_at) VALUES ('s-2', 'videos/s-2-new.mp4', ?, ?)", at, at)
	exec(t, d, "INSERT INTO judge_conflicts (judge_id, submission_id, reason, declared_at) VALUES ('u-judge-1', 's-3', '同单位', ?)", at)
	for i, w := range works[:2] {
		exec(t, d, "INSERT INTO awards (submission_id, contest_id, tier, reason, set_by, set_at) VALUES (?, ?, ?, '', ?, ?)", w, s.contestID, i+1, s.organizer, at)
	}
	exec(t, d, "INSERT INTO recommendations (contest_id, submission_id, created_by, created_at) VALUES (?, 's-1', ?, ?)", s.contestID, s.organizer, at)
	n := 0
	for serial, revoked := range s.serials {
		var revokedAt *time.Time
		if revoked {
			revokedAt = &s.now
		}
		n++
		exec(t, d, `INSERT INTO certificates (serial, contest_id, submission_id, version, tier, title, names, employer, recipient, wording, issued_at, revoked_at)
			VALUES (?, ?, ?, 1, ?, '作品', '["张三"]', '省科协', '', 'w1', ?, ?)`, serial, s.contestID, works[n-1], serial[5:6], at, revokedAt)
	}
	exec(t, d, `INSERT INTO objections (id, contest_id, submission_id, work_title, version, name, contact_enc, reason, created_at, status, decision, decided_by, decided_at, reference, filed_by)
		VALUES ('o-1', ?, 's-2', '作品s-2', 1, '王五', 'sealed', '署名有误', ?, 'dismissed', '已核实', ?, ?, 'YY-2022-0001', '')`, s.contestID, at, s.organizer, at)
	exec(t, d, "INSERT INTO exports (id, contest_id, kind, status, created_by, created_at) VALUES ('x-1', ?, 'works', 'done', ?, ?)", s.contestID, s.organizer, at)
	exec(t, d, "INSERT INTO submission_counts (contest_id, status, n) VALUES (?, 'submitted', 3)", s.contestID)
	exec(t, d, "INSERT INTO contest_numbers (contest_id, series, last_number) VALUES (?, 'work', 3), (?, 'objection', 1)", s.contestID, s.contestID)
	for i, action := range []string{"set_award", "publish", "decide"} {
		exec(t, d, "INSERT INTO audit_log (id, actor_id, actor_name, happened_at, entity, entity_id, action, before_json, after_json) VALUES (?, ?, '主办方', ?, 'submission', 's-1', ?, '', '{}')",
			fmt.Sprintf("a-%d", i), s.organizer, at.Add(time.Duration(i)*time.Minute), action)
	}
	exec(t, d, "INSERT INTO notifications (id, recipient, kind, event_key, subject, body, link, created_at) VALUES ('n-1', 'u-contestant-1', 'results', 'results:1', '结果已发布', '您的作品获奖', '/results', ?), ('n-2', 'u-judge-1', 'assigned', 'assigned:1', '评审任务', '请评审', '/judge', ?)", at, at)
	exec(t, d, "INSERT INTO notification_deliveries (notification_id, channel, state, attempts, created_at, updated_at, sent_at) VALUES ('n-1', 'email', 'sent', 1, ?, ?, ?)", at, at, at)
	exec(t, d, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('sess-1', ?, ?, ?)", s.organizer, at, s.now.AddDate(0, 0, 7))
	exec(t, d, "INSERT INTO account_tokens (hash, user_id, purpose, expires_at, created_at) VALUES ('tok-1', 'u-judge-2', 'invite', ?, ?)", s.now, at)
	exec(t, d, "INSERT INTO sms_rates (number_key, last_sent_at, day, day_count, version) VALUES ('num-1', ?, '2022-09-01', 1, 1)", at)
	exec(t, d, "INSERT INTO reminder_rounds (round, done_at) VALUES ('collection-closing:2022', ?)", at)
	return s
}

// insertContest stores a contest as the single-contest service did (the notice's settings, its
// results published) with the collection opening at start.
func insertContest(t *testing.T, d *db.DB, id string, start, created time.Time) {
	t.Helper()
	c := contest.DefaultContest()
	pub := contest.DefaultPublication(c.Organizer)
	published := start.AddDate(0, 4, 0)
	pub.PublishedAt = &published
	exec(t, d, `INSERT INTO contests (id, name, theme, organizer, time_zone, collection_start, collection_end, review_start, review_end,
		rule_container, rule_max_duration_sec, rule_min_short_side, rule_max_size_bytes, authorization_text, created_at, updated_at,
		judging, publication, publication_revision, require_email_verification, notices) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, FALSE, '')`,
		id, c.Name, c.Theme, c.Organizer, c.TimeZone, start.UTC(), start.AddDate(0, 2, 0).UTC(), start.AddDate(0, 2, 1).UTC(), start.AddDate(0, 3, 0).UTC(),
		c.Rules.Container, c.Rules.MaxDurationSec, c.Rules.MinShortSide, c.Rules.MaxSizeBytes, c.AuthorizationText, created.UTC(), created.UTC(),
		mustMarshal(t, c.Judging), mustMarshal(t, pub))
}

func insertUser(t *testing.T, d *db.DB, id string, role contest.Role, at time.Time) {
	t.Helper()
	exec(t, d, "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, '$2a$10$hash', ?)",
		id, id+"@example.org", "用户"+id, string(role), at.UTC())
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if err := d.RawExec(context.Background(), q, args...); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}

// seal is a personal-data field as the stores seal it.
func seal(t *testing.T, box *pii.Box, field, plain string) string {
	t.Helper()
	s, err := box.Seal(field, plain)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// date is midnight of a day in Beijing time.
func date(y int, m time.Month, day int) time.Time {
	return time.Date(y, m, day, 0, 0, 0, 0, contest.Beijing)
}

// snapshot reads every row of every table of ours, each row as a map of column → value.
func snapshot(t *testing.T, d *db.DB) map[string][]map[string]any {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if d.Dialect() == db.Postgres {
		q = "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
	}
	out := map[string][]map[string]any{}
	for _, r := range query(t, d, q) {
		if name := str(r["name"]); ours(name) {
			// A new text each time: PostgreSQL refuses a statement the driver prepared before
			// the migration changed the table's columns.
			out[name] = query(t, d, fmt.Sprintf("SELECT * FROM %s -- %d", name, time.Now().UnixNano()))
		}
	}
	return out
}

// rowsDiff compares two readings of a table on the columns of the first: rows missing from the
// second and rows it has more. "" when they hold the same rows.
func rowsDiff(before, after []map[string]any) string {
	var lines []string
	for _, m := range missingRows(before, after) {
		lines = append(lines, "- "+m)
	}
	if len(after) != len(before) {
		lines = append(lines, fmt.Sprintf("rows: %d before, %d after", len(before), len(after)))
	}
	return strings.Join(lines, "\n")
}

// missingRows returns the rows of before that after does not hold, compared on before's columns.
func missingRows(before, after []map[string]any) []string {
	if len(before) == 0 {
		return nil
	}
	cols := slices.Sorted(maps.Keys(before[0]))
	have := map[string]int{}
	for _, r := range after {
		have[rowText(r, cols)]++
	}
	var missing []string
	for _, r := range before {
		k := rowText(r, cols)
		if have[k] == 0 {
			missing = append(missing, k)
			continue
		}
		have[k]--
	}
	return missing
}

func rowText(r map[string]any, cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + "=" + str(r[c])
	}
	return strings.Join(parts, " ")
}
