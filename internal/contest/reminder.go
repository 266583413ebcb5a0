package contest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reminders: messages sent because a moment came, not because something happened to the
// recipient — the contestants' deadline reminders, the judges' review reminders and the
// organizers' daily digest. A periodic task (RunReminders) finds those due and inserts them as
// notifications, one per recipient and event key, so a task run twice or on two replicas
// reminds nobody twice. Recipients can turn reminders off (the unsubscribe link in their
// e-mails, or the account page): they are then no longer e-mailed, and still find them in the
// message centre, where nothing interrupts anyone.

// reminderLead is one reminder before a deadline: its lead time and how it is said.
type reminderLead struct {
	Lead  time.Duration
	Label string // 24 小时
	Code  string // 24h, in event keys
}

// The reminders before the collection's and the review's ends.
var (
	deadlineLeads = []reminderLead{{24 * time.Hour, "24 小时", "24h"}, {2 * time.Hour, "2 小时", "2h"}}
	reviewLeads   = []reminderLead{{48 * time.Hour, "48 小时", "48h"}, {24 * time.Hour, "24 小时", "24h"}}
)

// DigestHour is the hour (Beijing time) of the organizers' daily digest.
const DigestHour = 8

// digestGrace is how long after DigestHour a day's digest is still sent (a service that was
// down at 8:00); later, the day has none and the next one counts from the last moment.
const digestGrace = 12 * time.Hour

// reminderDue reports whether the reminder lead before end is due at now: from its moment
// (end − lead) until a quarter of the lead has passed. A reminder that could not be sent in
// that window (the service was down) is not sent at all: "不到 24 小时" with 2 hours left
// would mislead, and the 2-hour reminder comes in its own window.
func reminderDue(now, end time.Time, lead time.Duration) bool {
	at := end.Add(-lead)
	return !now.Before(at) && now.Before(at.Add(lead/4))
}

// digestMoment is the day's digest moment (DigestHour, Beijing) of the day now is in, or of
// the day before when now is before the hour.
func digestMoment(now time.Time) time.Time {
	b := now.In(Beijing)
	m := time.Date(b.Year(), b.Month(), b.Day(), DigestHour, 0, 0, 0, Beijing)
	if b.Before(m) {
		m = m.AddDate(0, 0, -1)
	}
	return m
}

// digestDue reports whether the digest of moment m is due at now: within its grace, and for
// a day that overlaps collection or review (the first morning after the review ends reports
// its last day).
func digestDue(c Contest, now, m time.Time) bool {
	return now.Before(m.Add(digestGrace)) && m.After(c.CollectionStart) && m.Add(-24*time.Hour).Before(c.ReviewEnd)
}

// deadlineTodo says what a draft still lacks, one numbered line each. Participants are
// counted, not named: a message holds no other person's data.
func deadlineTodo(sub Submission) string {
	var lines []string
	consents := 0
	for _, fe := range sub.Missing() {
		if fe.Code == "consent_missing" {
			consents++
			continue
		}
		lines = append(lines, fe.Message)
	}
	if consents > 0 {
		lines = append(lines, fmt.Sprintf("有 %d 位参与人员尚未签署作品授权书", consents))
	}
	if len(lines) == 0 {
		return "1. 材料已齐全，请点击“提交作品”"
	}
	for i := range lines {
		lines[i] = fmt.Sprintf("%d. %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}

// deadlineReminder reminds the owner of a draft that the collection closes within lead.
func deadlineReminder(now time.Time, c Contest, sub Submission, l reminderLead) Notification {
	// The deadline is part of the key: a deadline moved later is reminded of again.
	key := fmt.Sprintf("remind:deadline:%s:%s:%d", sub.ID, l.Code, c.CollectionEnd.Unix())
	return notice(now, c, sub.OwnerID, NoteDeadlineReminder, key, workLink(sub.ID), noticeValues(c,
		"作品名称", noticeTitle(sub), "剩余时间", l.Label, "截止时间", FormatTime(c.CollectionEnd, Beijing), "待办", deadlineTodo(sub)))
}

// JudgeLoad is how far one active judge is with their reviews in a contest.
type JudgeLoad struct {
	JudgeID  string
	Assigned int
	Done     int // submitted
}

// reviewReminder reminds a judge with unfinished reviews that the review closes within lead.
func reviewReminder(now time.Time, c Contest, p JudgeLoad, l reminderLead) Notification {
	key := fmt.Sprintf("remind:review:%s:%s:%d", c.ID, l.Code, c.ReviewEnd.Unix())
	return notice(now, c, p.JudgeID, NoteReviewReminder, key, "/judge", noticeValues(c, "剩余时间", l.Label,
		"评审截止", FormatTime(c.ReviewEnd, Beijing), "未完成数", fmt.Sprint(p.Assigned-p.Done), "作品总数", fmt.Sprint(p.Assigned)))
}

// assignedNotifications tell each judge who got works in added how many, and how many their
// queue now holds (total, by judge). The same works given to the same judge again (an
// assignment saved twice) is one notification.
func assignedNotifications(now time.Time, c Contest, added []ReviewRecord, total map[string]int) []Notification {
	works := map[string][]string{}
	for _, r := range added {
		works[r.JudgeID] = append(works[r.JudgeID], r.WorkID)
	}
	var out []Notification
	for _, judge := range slicesSorted(works) {
		ids := works[judge]
		slices.Sort(ids)
		sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
		key := fmt.Sprintf("assigned:%s:%x", c.ID, sum[:8])
		out = append(out, notice(now, c, judge, NoteReviewAssigned, key, "/judge", noticeValues(c,
			"新分配数", fmt.Sprint(len(ids)), "作品总数", fmt.Sprint(max(total[judge], len(ids))),
			"评审截止", FormatTime(c.ReviewEnd, Beijing))))
	}
	return out
}

// closedNotifications thank every judge with reviews when judging is closed: the scores are
// final. One per judge and closing.
func closedNotifications(now time.Time, c Contest, progress []JudgeLoad) []Notification {
	out := make([]Notification, 0, len(progress))
	for _, p := range progress {
		key := fmt.Sprintf("judging_closed:%s:%d", c.ID, c.Judging.ClosedAt.Unix())
		out = append(out, notice(now, c, p.JudgeID, NoteJudgingClosed, key, "/judge", noticeValues(c,
			"已完成数", fmt.Sprint(p.Done), "作品总数", fmt.Sprint(p.Assigned))))
	}
	return out
}

// DigestCounts are the day's figures of a contest for the organizers' digest, each a count.
type DigestCounts struct {
	Registered     int64 // works created in the period
	Submitted      int64 // works submitted in the period
	ChecksFailed   int64 // videos rejected in the period
	Drafts         int64 // works in draft now
	SubmittedAll   int64 // works submitted now
	Assigned       int64 // reviews assigned now
	Reviewed       int64 // of which submitted
	ObjectionsOpen int64 // objections waiting for a decision
}

// digestNotification is the digest of the period ending at moment m for one organizer.
func digestNotification(now time.Time, c Contest, organizer string, m time.Time, d DigestCounts) Notification {
	day := m.In(Beijing).Format("2006-01-02")
	progress, objections := "", ""
	if d.Assigned > 0 {
		progress = fmt.Sprintf("评委已提交 %d / %d 份评分。", d.Reviewed, d.Assigned)
	}
	if d.ObjectionsOpen > 0 {
		objections = fmt.Sprintf("有 %d 条异议待处理。", d.ObjectionsOpen)
	}
	const layout = "2006-01-02 15:04"
	return notice(now, c, organizer, NoteDigest, "digest:"+c.ID+":"+day, "/admin/submissions", noticeValues(c,
		"日期", day, "统计时段", m.Add(-24*time.Hour).In(Beijing).Format(layout)+" 至 "+m.In(Beijing).Format(layout),
		"新报名", fmt.Sprint(d.Registered), "新提交", fmt.Sprint(d.Submitted), "检查未通过", fmt.Sprint(d.ChecksFailed),
		"作品草稿", fmt.Sprint(d.Drafts), "作品已提交", fmt.Sprint(d.SubmittedAll),
		"评审进度", progress, "待处理异议", objections))
}

// slicesSorted returns the keys of m in order.
func slicesSorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ReminderStore keeps what the reminders need beyond the works.
type ReminderStore interface {
	// ReminderRoundDone reports whether a round of reminders was completed.
	ReminderRoundDone(ctx context.Context, round string) (bool, error)
	// SaveReminders inserts notes (one per recipient and event key: a note already there is
	// left alone) and, when round is not "", records the round completed at at, in one
	// transaction.
	SaveReminders(ctx context.Context, notes []Notification, round string, at time.Time) error
	// JudgeLoads returns, for each active judge with reviews in the contest, how many are
	// assigned and submitted.
	JudgeLoads(ctx context.Context, contestID string) ([]JudgeLoad, error)
	// DigestCounts counts the contest's figures for a digest of the period [since, until).
	DigestCounts(ctx context.Context, contestID string, since, until time.Time) (DigestCounts, error)
	// SetRemindersOff records whether the user gets reminders by e-mail.
	SetRemindersOff(ctx context.Context, userID string, off bool) error
	// DraftsAfter returns up to limit of the contest's works in draft whose id sorts after
	// afterID, by id, with their participants (numbers masked).
	DraftsAfter(ctx context.Context, contestID, afterID string, limit int) ([]Submission, error)
}

// reminderBatch is how many works one transaction of reminders covers.
const reminderBatch = 200

// RunReminders sends the reminders and digests due now for every contest not archived and
// returns how many notifications it made (some may have been made before: they are not made
// twice). It is the periodic task; running it twice, or on two replicas at once, reminds
// nobody twice.
func (s *MessageService) RunReminders(ctx context.Context) (int, error) {
	contests, err := s.contests.AllContests(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range contests {
		if c.ArchivedAt != nil {
			continue
		}
		k, err := s.remindContest(InContest(ctx, c.ID), c)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// remindContest sends the reminders and digest due now for one contest.
func (s *MessageService) remindContest(ctx context.Context, c Contest) (int, error) {
	now := s.Now()
	n := 0
	for _, l := range deadlineLeads {
		if !reminderDue(now, c.CollectionCloses(), l.Lead) {
			continue
		}
		k, err := s.remindDrafts(ctx, c, now, l)
		n += k
		if err != nil {
			return n, err
		}
	}
	if c.Judging.ClosedAt == nil {
		for _, l := range reviewLeads {
			if !reminderDue(now, c.ReviewEnd, l.Lead) {
				continue
			}
			k, err := s.remindJudges(ctx, c, now, l)
			n += k
			if err != nil {
				return n, err
			}
		}
	}
	k, err := s.sendDigest(ctx, c, now)
	return n + k, err
}

// round runs a round of reminders once: batchOf returns the notes of the next batch and
// whether there are more. Each batch is inserted in one transaction; the last one records
// the round as done, so the next runs in its window skip it.
func (s *MessageService) round(ctx context.Context, key string, now time.Time, batchOf func() ([]Notification, bool, error)) (int, error) {
	done, err := s.reminders.ReminderRoundDone(ctx, key)
	if err != nil || done {
		return 0, err
	}
	n := 0
	for {
		notes, more, err := batchOf()
		if err != nil {
			return n, err
		}
		last := ""
		if !more {
			last = key
		}
		if err := s.reminders.SaveReminders(ctx, notes, last, now); err != nil {
			return n, err
		}
		n += len(notes)
		if !more {
			return n, nil
		}
	}
}

// remindDrafts reminds the owner of every work not yet submitted, a batch at a time, in
// the order of their ids.
func (s *MessageService) remindDrafts(ctx context.Context, c Contest, now time.Time, l reminderLead) (int, error) {
	key := fmt.Sprintf("deadline:%s:%s:%d", c.ID, l.Code, c.CollectionEnd.Unix())
	after := ""
	return s.round(ctx, key, now, func() ([]Notification, bool, error) {
		drafts, err := s.reminders.DraftsAfter(ctx, c.ID, after, reminderBatch)
		if err != nil {
			return nil, false, err
		}
		notes := make([]Notification, 0, len(drafts))
		for _, sub := range drafts {
			if sub.OwnerID != "" {
				notes = append(notes, deadlineReminder(now, c, sub, l))
			}
			after = sub.ID
		}
		return notes, len(drafts) == reminderBatch, nil
	})
}

// remindJudges reminds every judge with unfinished reviews.
func (s *MessageService) remindJudges(ctx context.Context, c Contest, now time.Time, l reminderLead) (int, error) {
	key := fmt.Sprintf("review:%s:%s:%d", c.ID, l.Code, c.ReviewEnd.Unix())
	return s.round(ctx, key, now, func() ([]Notification, bool, error) {
		progress, err := s.reminders.JudgeLoads(ctx, c.ID)
		if err != nil {
			return nil, false, err
		}
		var notes []Notification
		for _, p := range progress {
			if p.Done < p.Assigned {
				notes = append(notes, reviewReminder(now, c, p, l))
			}
		}
		return notes, false, nil
	})
}

// sendDigest sends the day's digest to every active organizer, when due.
func (s *MessageService) sendDigest(ctx context.Context, c Contest, now time.Time) (int, error) {
	m := digestMoment(now)
	if !digestDue(c, now, m) {
		return 0, nil
	}
	key := "digest:" + c.ID + ":" + m.In(Beijing).Format("2006-01-02")
	return s.round(ctx, key, now, func() ([]Notification, bool, error) {
		d, err := s.reminders.DigestCounts(ctx, c.ID, m.Add(-24*time.Hour), m)
		if err != nil {
			return nil, false, err
		}
		organizers, err := s.users.ContestUsers(ctx, c.ID, RoleOrganizer)
		if err != nil {
			return nil, false, err
		}
		var notes []Notification
		for _, u := range organizers {
			if !u.Disabled {
				notes = append(notes, digestNotification(now, c, u.ID, m, d))
			}
		}
		return notes, false, nil
	})
}

// ReminderKinds are the kinds that are reminders: those a recipient who turned reminders off
// is not e-mailed.
func ReminderKinds() []NotificationKind {
	var out []NotificationKind
	for _, k := range noticeKinds {
		if k.Reminder {
			out = append(out, k.Kind)
		}
	}
	return out
}
