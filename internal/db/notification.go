package db

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// Notifications keeps the notifications (the outbox, migration 00013). They are inserted by
// the stores that record their events, in the same transaction (insertNotifications).
type Notifications struct{ db *DB }

type notificationRow struct {
	ID        string `gorm:"primaryKey"`
	Recipient string
	Kind      string
	EventKey  string
	Subject   string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func (r notificationRow) toDomain() contest.Notification {
	return contest.Notification{ID: r.ID, Recipient: r.Recipient, Kind: contest.NotificationKind(r.Kind), EventKey: r.EventKey,
		Subject: r.Subject, Body: r.Body, Link: r.Link, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
}

// ListNotifications returns a page of the recipient's notifications, newest first, with their
// total and unread counts; every query reads the recipient's rows only.
func (n *Notifications) ListNotifications(ctx context.Context, recipient string, limit, offset int) (contest.NotificationPage, error) {
	var page contest.NotificationPage
	err := n.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []notificationRow
		if err := tx.Where("recipient = ?", recipient).Order("created_at DESC, id DESC").
			Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			page.Items = append(page.Items, r.toDomain())
		}
		if err := tx.Model(&notificationRow{}).Where("recipient = ?", recipient).Count(&page.Total).Error; err != nil {
			return err
		}
		return tx.Model(&notificationRow{}).Where("recipient = ? AND read_at IS NULL", recipient).Count(&page.Unread).Error
	})
	return page, translate(err, "消息")
}

// CountUnread counts the recipient's unread notifications from the index on (recipient,
// read_at, created_at): its cost does not depend on anyone else's.
func (n *Notifications) CountUnread(ctx context.Context, recipient string) (int64, error) {
	var c int64
	err := n.db.gorm.WithContext(ctx).Model(&notificationRow{}).Where("recipient = ? AND read_at IS NULL", recipient).Count(&c).Error
	return c, translate(err, "消息")
}

// MarkNotificationsRead marks the recipient's unread notifications among ids (all when ids is
// nil) read; with ids it returns how many of them are the recipient's.
func (n *Notifications) MarkNotificationsRead(ctx context.Context, recipient string, ids []string, at time.Time) (int64, error) {
	var found int64
	err := n.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&notificationRow{}).Where("recipient = ? AND read_at IS NULL", recipient)
		if ids != nil {
			q = q.Where("id IN ?", ids)
		}
		res := q.Update("read_at", at.UTC())
		if res.Error != nil || ids == nil {
			found = res.RowsAffected
			return res.Error
		}
		return tx.Model(&notificationRow{}).Where("recipient = ? AND id IN ?", recipient, ids).Count(&found).Error
	})
	return found, translate(err, "消息")
}
