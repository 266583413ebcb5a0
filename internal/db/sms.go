package db

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// smsQueue sends the notifications' SMS: low priority, its own queue, so that SMS waiting for
// a number's interval never hold up the e-mails.
const smsQueue = "sms"

// smsWorkers is how many SMS one replica sends at once.
const smsWorkers = 2

const channelSMS = "sms"

// SetSMSDelivery turns SMS delivery on for the kinds given (off with none): every notification
// of those kinds inserted whose recipient has a mobile number gets an SMS delivery and its job,
// in the notification's transaction. `contest serve` turns it on for the kinds with a template.
func (db *DB) SetSMSDelivery(kinds []contest.NotificationKind) {
	if len(kinds) == 0 {
		db.smsKinds.Store(nil)
		return
	}
	set := make(map[contest.NotificationKind]bool, len(kinds))
	for _, k := range kinds {
		set[k] = true
	}
	db.smsKinds.Store(&set)
}

// smsDeliveryRow is an SMS delivery: a delivery with its template's parameters (JSON).
type smsDeliveryRow struct {
	NotificationID string `gorm:"primaryKey"`
	Channel        string `gorm:"primaryKey"`
	State          string
	Attempts       int
	LastError      string
	Params         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SentAt         *time.Time
}

func (smsDeliveryRow) TableName() string { return "notification_deliveries" }

// queueSMS gives each of notes inserted now (in tx) whose kind goes by SMS and whose recipient
// has a number an SMS delivery and its job, in tx.
func (db *DB) queueSMS(ctx context.Context, tx *gorm.DB, notes []contest.Notification) error {
	kinds := db.smsKinds.Load()
	if kinds == nil {
		return nil
	}
	params := map[string][]string{}
	var ids []string
	for _, n := range notes {
		if (*kinds)[n.Kind] {
			ids = append(ids, n.ID)
			params[n.ID] = n.SMSParams
		}
	}
	for start := 0; start < len(ids); start += 500 {
		// A note left out as already told has no row with its id: only the new ones are found.
		var found []string
		if err := tx.Table("notifications AS n").Joins("JOIN users AS u ON u.id = n.recipient").
			Where("n.id IN ? AND u.mobile_enc <> '' AND u.disabled = ?", ids[start:min(start+500, len(ids))], false).Pluck("n.id", &found).Error; err != nil {
			return err
		}
		if len(found) == 0 {
			continue
		}
		now := time.Now().UTC()
		rows := make([]smsDeliveryRow, len(found))
		jobs := make([]river.InsertManyParams, len(found))
		for i, id := range found {
			p, err := json.Marshal(params[id])
			if err != nil {
				return err
			}
			rows[i] = smsDeliveryRow{NotificationID: id, Channel: channelSMS, State: string(contest.DeliveryPending),
				Params: string(p), CreatedAt: now, UpdatedAt: now}
			jobs[i] = river.InsertManyParams{Args: contest.SMSArgs{NotificationID: id},
				InsertOpts: &river.InsertOpts{Queue: smsQueue, MaxAttempts: db.mailAttempts(), Priority: 4}}
		}
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
		if err := db.insertManyTx(ctx, tx, jobs); err != nil {
			return err
		}
	}
	return nil
}

var _ contest.SMSDeliveryStore = (*Notifications)(nil)

// SMSDelivery returns the notification to send by SMS, its parameters, and its recipient's
// number (opened) with the number's keyed hash.
func (n *Notifications) SMSDelivery(ctx context.Context, notificationID string) (contest.SMSDelivery, error) {
	var out contest.SMSDelivery
	err := n.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		note, u, err := noteAndRecipient(tx, notificationID)
		if err != nil {
			return err
		}
		var d smsDeliveryRow
		if err := tx.Where("notification_id = ? AND channel = ?", notificationID, channelSMS).Take(&d).Error; err != nil {
			return err
		}
		number, err := n.db.openMobile(u.MobileEnc)
		if err != nil {
			return err
		}
		out = contest.SMSDelivery{Notification: note.toDomain(), Number: number, NumberKey: n.db.box.Index(number),
			State: contest.DeliveryState(d.State), Attempts: d.Attempts}
		if d.Params != "" {
			return json.Unmarshal([]byte(d.Params), &out.Notification.SMSParams)
		}
		return nil
	})
	return out, translate(err, "消息")
}

// RecordSMSDelivery records the outcome of an attempt to send a notification by SMS.
func (n *Notifications) RecordSMSDelivery(ctx context.Context, notificationID string, state contest.DeliveryState, attempts int, cause string, sentAt *time.Time) error {
	changes := map[string]any{"state": string(state), "attempts": attempts, "last_error": cause, "updated_at": time.Now().UTC()}
	if sentAt != nil {
		changes["sent_at"] = sentAt.UTC()
	}
	err := n.db.gorm.WithContext(ctx).Model(&smsDeliveryRow{}).
		Where("notification_id = ? AND channel = ?", notificationID, channelSMS).Updates(changes).Error
	return translate(err, "消息")
}

type smsRateRow struct {
	NumberKey  string `gorm:"primaryKey"`
	LastSentAt *time.Time
	Day        string
	DayCount   int
	Version    int
}

func (smsRateRow) TableName() string { return "sms_rates" }

// SMSRate returns a number's rate, zero when it was never sent to.
func (n *Notifications) SMSRate(ctx context.Context, numberKey string) (contest.SMSRate, error) {
	var rows []smsRateRow
	if err := n.db.gorm.WithContext(ctx).Where("number_key = ?", numberKey).Limit(1).Find(&rows).Error; err != nil {
		return contest.SMSRate{}, translate(err, "短信")
	}
	if len(rows) == 0 {
		return contest.SMSRate{}, nil
	}
	r := rows[0]
	return contest.SMSRate{LastSentAt: r.LastSentAt, Day: r.Day, DayCount: r.DayCount, Version: r.Version}, nil
}

// SwapSMSRate replaces the number's rate old by next if it is still old (by its version): a
// conditional insert or update, atomic on both databases.
func (n *Notifications) SwapSMSRate(ctx context.Context, numberKey string, old, next contest.SMSRate) (bool, error) {
	row := smsRateRow{NumberKey: numberKey, LastSentAt: utcPtr(next.LastSentAt), Day: next.Day, DayCount: next.DayCount, Version: next.Version}
	g := n.db.gorm.WithContext(ctx)
	var res *gorm.DB
	if old.Version == 0 {
		res = g.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	} else {
		res = g.Model(&smsRateRow{}).Where("number_key = ? AND version = ?", numberKey, old.Version).
			Updates(map[string]any{"last_sent_at": row.LastSentAt, "day": row.Day, "day_count": row.DayCount, "version": row.Version})
	}
	if res.Error != nil {
		return false, translate(res.Error, "短信")
	}
	return res.RowsAffected == 1, nil
}

// smsWorker sends SMS: a delivery deferred by its number's interval is snoozed (run again
// later without counting an attempt), at most maxWait (the jobs' longest retry wait) at a time;
// one settled for good (failed) is not retried.
type smsWorker struct {
	jobWorker[contest.SMSArgs]
	maxWait time.Duration
}

func (w *smsWorker) Work(ctx context.Context, job *river.Job[contest.SMSArgs]) error {
	err := w.jobWorker.Work(ctx, job)
	var d *contest.SMSDeferred
	switch {
	case errors.As(err, &d):
		return river.JobSnooze(max(min(d.Wait, w.maxWait), 0))
	case contest.SMSFinished(err):
		return river.JobCancel(err)
	}
	return err
}
