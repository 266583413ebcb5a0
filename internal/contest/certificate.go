package contest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Certificate is a 获奖证书 as issued: for a winning work, or (when the template says so) for
// one participant of it. Its serial is printed on it and verified at /verify/{serial}.
type Certificate struct {
	Serial    string
	ContestID string
	WorkID    string
	Version   int // the awards version it was issued for
	Tier      Tier
	Title     string   // the work's title
	Names     []string // the creators, the lead first
	Employer  string   // the lead's 工作单位
	Category  string   // the name of the work's 组别, printed when set
	Recipient string   // the participant it is for; "" for the work's own certificate
	// Wording identifies the template it was issued with: a serial keeps its text.
	Wording   string
	IssuedAt  time.Time
	RevokedAt *time.Time // set when the results were withdrawn or the award changed
}

// Valid reports whether the certificate stands (it has not been revoked).
func (c Certificate) Valid() bool { return c.RevokedAt == nil }

// same reports whether c certifies the same thing as d, so that its serial can be kept.
func (c Certificate) same(d Certificate) bool {
	return c.WorkID == d.WorkID && c.Recipient == d.Recipient && c.Tier == d.Tier && c.Title == d.Title && c.Category == d.Category &&
		strings.Join(c.Names, "、") == strings.Join(d.Names, "、") && c.Employer == d.Employer && c.Wording == d.Wording
}

// CertificateTemplate is the contest's wording of its certificates, an organizer's setting.
// Body may use the placeholders {姓名} (the recipient, or every creator), {作品}, {活动} and
// {奖项}; each line is a paragraph. In a contest with categories, {组别} is the work's; a body
// without it gets a line 组别：… before its last paragraph.
type CertificateTemplate struct {
	Heading        string // 获奖证书
	Body           string
	Issuer         string // the issuing organization, printed above the seal
	Date           string // the date printed, e.g. "2022年5月28日"; empty: the day of publishing
	PerParticipant bool   // also one certificate per participant
}

// DefaultCertificateTemplate is the wording used until an organizer changes it.
func DefaultCertificateTemplate(issuer string) CertificateTemplate {
	return CertificateTemplate{
		Heading: "获奖证书",
		Body:    "{姓名}：\n你（们）创作的作品《{作品}》在{活动}中荣获{奖项}。\n特发此证，以资鼓励。",
		Issuer:  issuer,
	}
}

// Wording returns a short fingerprint of the template's text, stored with each certificate
// issued with it.
func (t CertificateTemplate) Wording() string {
	h := sha256.Sum256([]byte(t.Heading + "\x00" + t.Body + "\x00" + t.Issuer + "\x00" + t.Date))
	return hex.EncodeToString(h[:8])
}

// Validate checks the template's limits.
func (t *CertificateTemplate) Validate() error {
	var f Fields
	t.Heading, t.Issuer, t.Date = strings.TrimSpace(t.Heading), strings.TrimSpace(t.Issuer), strings.TrimSpace(t.Date)
	t.Body = strings.TrimSpace(strings.ReplaceAll(t.Body, "\r\n", "\n"))
	if t.Heading == "" || len([]rune(t.Heading)) > 20 {
		f.Add("heading", "heading", "证书标题须为1–20个字")
	}
	if t.Body == "" || len([]rune(t.Body)) > 300 || strings.Count(t.Body, "\n") > 6 {
		f.Add("body", "body", "证书正文须为1–300个字，至多7段")
	}
	if t.Issuer == "" || len([]rune(t.Issuer)) > 40 {
		f.Add("issuer", "issuer", "请填写颁发单位（至多40个字）")
	}
	if len([]rune(t.Date)) > 20 {
		f.Add("date", "date", "落款日期至多20个字")
	}
	return f.Err()
}

// CertificateDoc is everything printed on one certificate.
type CertificateDoc struct {
	Certificate
	Heading    string
	Paragraphs []string // the body with its placeholders filled in
	Issuer     string
	Date       string
	VerifyURL  string // encoded in the QR code
}

// Doc fills the template in for certificate c of contest ct; verifyURL is the address of its
// verification page, and published the day the results were published.
func (t CertificateTemplate) Doc(ct Contest, c Certificate, verifyURL string, published time.Time) CertificateDoc {
	name := c.Recipient
	if name == "" {
		name = strings.Join(c.Names, "、")
	}
	r := strings.NewReplacer("{姓名}", name, "{作品}", c.Title, "{活动}", ct.Name, "{奖项}", c.Tier.Label(), "{组别}", c.Category)
	paragraphs := strings.Split(r.Replace(t.Body), "\n")
	if c.Category != "" && !strings.Contains(t.Body, "{组别}") {
		at := max(len(paragraphs)-1, 1)
		paragraphs = slices.Insert(paragraphs, min(at, len(paragraphs)), "组别："+c.Category)
	}
	date := t.Date
	if date == "" {
		d := published.In(ct.Location())
		date = fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
	}
	return CertificateDoc{Certificate: c, Heading: t.Heading, Paragraphs: paragraphs,
		Issuer: t.Issuer, Date: date, VerifyURL: verifyURL}
}

// CertificateRenderer draws certificates (a PDF adapter).
type CertificateRenderer interface {
	// RenderCertificate writes one certificate as a document of its own.
	RenderCertificate(w io.Writer, d CertificateDoc) error
}

// serialAlphabet leaves out letters read as digits (I, L, O, U).
const serialAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newSerial returns a certificate serial: the contest year, the tier, a running number and a
// random part that makes serials impossible to guess (e.g. 2022-1-0007-K7Q4M2XA).
func newSerial(year int, tier Tier, n int) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = serialAlphabet[int(b[i])%len(serialAlphabet)]
	}
	return fmt.Sprintf("%d-%d-%04d-%s", year, tier, n, b)
}
