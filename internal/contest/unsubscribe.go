package contest

import (
	"context"
	"crypto/hmac"
	"slices"
	"strings"
)

// Unsubscribing from reminders. Every reminder's e-mail carries a link that turns reminders
// off without signing in (and the List-Unsubscribe headers of RFC 8058 that mail programs
// offer as a button). The link's token is the user's id and a keyed hash of it (HMAC-SHA256
// under a key derived from the service's secret key, the one personal numbers are searched
// by), so it cannot be made for anyone else; it holds nothing personal. It does not expire:
// a link in an old e-mail should still work, and all it can do is stop reminders, which the
// account page turns back on. The transactional notifications cannot be turned off.

// unsubscribePurpose separates the link's keyed hash from every other use of the key.
const unsubscribePurpose = "unsubscribe-link v1:"

// unsubscribeMAC is the keyed hash of a user's unsubscribe link, 128 bits in hex.
func (s *MessageService) unsubscribeMAC(userID string) string {
	return s.unsubscribeMACs(userID)[0]
}

// unsubscribeMACs are the MACs a link for the account may carry: under the current key, and
// during a key rotation under the previous one (links mailed before it keep working).
func (s *MessageService) unsubscribeMACs(userID string) []string {
	var out []string
	for _, k := range strings.Split(s.submissions.SearchKey(unsubscribePurpose+userID), ",") {
		out = append(out, k[:min(32, len(k))])
	}
	return out
}

// UnsubscribeToken returns the token of the user's unsubscribe link.
func (s *MessageService) UnsubscribeToken(userID string) string {
	return userID + "." + s.unsubscribeMAC(userID)
}

// UnsubscribeLink is the address of the user's unsubscribe page; "" without the site's
// public address.
func (s *MessageService) UnsubscribeLink(userID string) string {
	if s.baseURL == "" {
		return ""
	}
	return strings.TrimRight(s.baseURL, "/") + "/unsubscribe/" + s.UnsubscribeToken(userID)
}

// errBadUnsubscribe answers a link that is not one the service made.
var errBadUnsubscribe = Errorf(ENotFound, "退订链接无效，请登录后在账号页面设置提醒")

// unsubscriber returns the user a token is for.
func (s *MessageService) unsubscriber(ctx context.Context, token string) (User, error) {
	id, mac, ok := strings.Cut(token, ".")
	if !ok || id == "" || len(id) > 64 || !slices.ContainsFunc(s.unsubscribeMACs(id), func(m string) bool { return hmac.Equal([]byte(mac), []byte(m)) }) {
		return User{}, errBadUnsubscribe
	}
	u, err := s.users.UserByID(ctx, id)
	if ErrorCode(err) == ENotFound {
		return User{}, errBadUnsubscribe
	}
	return u, err
}

// CheckUnsubscribe tells whether a token is valid and whether its user already turned
// reminders off (the page that asks for confirmation).
func (s *MessageService) CheckUnsubscribe(ctx context.Context, token string) (off bool, err error) {
	u, err := s.unsubscriber(ctx, token)
	return u.RemindersOff, err
}

// Unsubscribe turns reminders off for the user of a token; doing it again changes nothing.
func (s *MessageService) Unsubscribe(ctx context.Context, token string) error {
	u, err := s.unsubscriber(ctx, token)
	if err != nil || u.RemindersOff {
		return err
	}
	return s.reminders.SetRemindersOff(ctx, u.ID, true)
}

// SetReminders turns the signed-in user's reminders on or off (the account page).
func (s *MessageService) SetReminders(ctx context.Context, u User, on bool) error {
	return s.reminders.SetRemindersOff(ctx, u.ID, !on)
}
