package db

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jskx/contest/internal/contest"
)

// mailQueue sends the notifications' e-mails: low priority, a few at a time
// (JobSettings.MailWorkers), never in the way of the verdicts.
const mailQueue = "mail"

// SetEmailDelivery turns e-mail delivery on or off (off by default): when on, every
// notification inserted whose recipient has an address gets an e-mail delivery and its job, in
// the notification's transaction. `contest serve` turns it on when SMTP is configured.
func (db *DB) SetEmailDelivery(on bool) { db.emailDelivery.Store(on) }

type deliveryRow struct {
	NotificationID string `gorm:"primaryKey"`
	Channel        string `gorm:"primaryKey"`
	State          string
	Attempts       int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SentAt         *time.Time
}

func (deliveryRow) TableName() string { return "notification_deliveries" }

const channelEmail = "email"

// insertNotifications inserts notes in the transaction tx; a note whose event the recipient
// was already told of (same recipient and event key) is left out, so an event recorded twice
// makes one notification. With e-mail delivery on, each note inserted now whose recipient has
// an address gets its delivery and job in tx too.
func (db *DB) insertNotifications(ctx context.Context, tx *gorm.DB, notes []contest.Notification) error {
	if len(notes) == 0 {
		return nil
	}
	rows := make([]notificationRow, len(notes))
	for i, n := range notes {
		rows[i] = notificationRow{ID: n.ID, Recipient: n.Recipient, Kind: string(n.Kind), EventKey: n.EventKey,
			Subject: n.Subject, Body: n.Body, Link: n.Link, CreatedAt: n.CreatedAt.UTC()}
	}
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "recipient"}, {Name: "event_key"}}, DoNothing: true}).
		CreateInBatches(rows, 200).Error; err != nil {
		return err
	}
	if !db.emailDelivery.Load() {
		return db.queueSMS(ctx, tx, notes)
	}
	for start := 0; start < len(notes); start += 500 {
		ids := make([]string, 0, 500)
		for _, n := range notes[start:min(start+500, len(notes))] {
			ids = append(ids, n.ID)
		}
		// A note left out as already told has no row with its id: only the new ones are found.
		var found []string
		if err := tx.Table("notifications AS n").Joins("JOIN users AS u ON u.id = n.recipient").
			Where("n.id IN ? AND u.email <> '' AND u.disabled = ?", ids, false).
			// Someone who turned reminders off is not e-mailed them (the site message stays).
			Where("NOT (u.reminders_off = ? AND n.kind IN ?)", true, contest.ReminderKinds()).
			Pluck("n.id", &found).Error; err != nil {
			return err
		}
		if len(found) == 0 {
			continue
		}
		now := time.Now().UTC()
		deliveries := make([]deliveryRow, len(found))
		jobs := make([]river.InsertManyParams, len(found))
		for i, id := range found {
			deliveries[i] = deliveryRow{NotificationID: id, Channel: channelEmail, State: string(contest.DeliveryPending),
				CreatedAt: now, UpdatedAt: now}
			jobs[i] = river.InsertManyParams{Args: contest.EmailArgs{NotificationID: id},
				InsertOpts: &river.InsertOpts{Queue: mailQueue, MaxAttempts: db.mailAttempts(), Priority: 4}}
		}
		if err := tx.CreateInBatches(deliveries, 200).Error; err != nil {
			return err
		}
		if err := db.insertManyTx(ctx, tx, jobs); err != nil {
			return err
		}
	}
	return db.queueSMS(ctx, tx, notes)
}

// mailAttempts is how many attempts an e-mail gets: the jobs' setting, at least 1.
func (db *DB) mailAttempts() int { return max(db.checkAttempts, 1) }

// noteAndRecipient reads a notification and its recipient's account in tx.
func noteAndRecipient(tx *gorm.DB, notificationID string) (notificationRow, userRow, error) {
	var note notificationRow
	if err := tx.Where("id = ?", notificationID).Take(&note).Error; err != nil {
		return note, userRow{}, err
	}
	var u userRow
	err := tx.Where("id = ?", note.Recipient).Take(&u).Error
	return note, u, err
}

// EmailDelivery returns the notification to e-mail and its recipient's name and address.
func (n *Notifications) EmailDelivery(ctx context.Context, notificationID string) (contest.EmailDelivery, error) {
	var out contest.EmailDelivery
	err := n.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		note, u, err := noteAndRecipient(tx, notificationID)
		if err != nil {
			return err
		}
		var d deliveryRow
		if err := tx.Where("notification_id = ? AND channel = ?", notificationID, channelEmail).Take(&d).Error; err != nil {
			return err
		}
		out = contest.EmailDelivery{Notification: note.toDomain(), Name: u.Name, Address: u.Email, State: contest.DeliveryState(d.State)}
		return nil
	})
	return out, translate(err, "消息")
}

// RecordEmailDelivery records the outcome of an attempt to e-mail a notification.
func (n *Notifications) RecordEmailDelivery(ctx context.Context, notificationID string, state contest.DeliveryState, attempts int, cause string, sentAt *time.Time) error {
	changes := map[string]any{"state": string(state), "attempts": attempts, "last_error": cause, "updated_at": time.Now().UTC()}
	if sentAt != nil {
		changes["sent_at"] = sentAt.UTC()
	}
	err := n.db.gorm.WithContext(ctx).Model(&deliveryRow{}).
		Where("notification_id = ? AND channel = ?", notificationID, channelEmail).Updates(changes).Error
	return translate(err, "消息")
}

// ListDeliveries returns the newest deliveries of every channel, newest first, addresses and
// numbers masked.
func (n *Notifications) ListDeliveries(ctx context.Context, limit int, linkPrefix string) ([]contest.DeliveryRecord, error) {
	var rows []struct {
		NotificationID string
		State          string
		Attempts       int
		LastError      string
		CreatedAt      time.Time
		SentAt         *time.Time
		Kind           string
		Subject        string
		Email          string
		Channel        string
		MobileMasked   string
	}
	q := n.db.gorm.WithContext(ctx).Table("notification_deliveries AS d").
		Select("d.notification_id, d.state, d.attempts, d.last_error, d.created_at, d.sent_at, n.kind, n.subject, u.email, d.channel, u.mobile_masked").
		Joins("JOIN notifications AS n ON n.id = d.notification_id").
		Joins("JOIN users AS u ON u.id = n.recipient")
	if linkPrefix != "" {
		q = q.Where(`n.link LIKE ? ESCAPE '\'`, escapeLike(linkPrefix)+"%")
	}
	err := q.Order("d.created_at DESC, d.notification_id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "消息")
	}
	out := make([]contest.DeliveryRecord, len(rows))
	for i, r := range rows {
		out[i] = contest.DeliveryRecord{NotificationID: r.NotificationID, Kind: contest.NotificationKind(r.Kind), Subject: r.Subject,
			Recipient: contest.MaskEmail(r.Email), State: contest.DeliveryState(r.State), Attempts: r.Attempts,
			LastError: r.LastError, CreatedAt: r.CreatedAt, SentAt: r.SentAt, Channel: r.Channel}
		if r.Channel == channelSMS {
			out[i].Recipient = r.MobileMasked // the account's number now, masked
		}
	}
	return out, nil
}
