package contest

import (
	"context"
	"io"
	"strings"
)

// Verification is what the public verification page says of a serial.
type Verification struct {
	Found       bool
	Certificate Certificate
	Contest     Contest
	Issuer      string
}

// Genuine reports whether the serial belongs to a certificate that stands: issued, not
// revoked, and its results published.
func (v Verification) Genuine() bool {
	return v.Found && v.Certificate.Valid() && v.Contest.Publication.PublishedAt != nil
}

// VerifyCertificate looks a serial up for the public verification page. A serial that was
// never issued is not an error: the page says so.
func (s *PublicationService) VerifyCertificate(ctx context.Context, serial string) (Verification, error) {
	serial = strings.ToUpper(strings.TrimSpace(serial))
	if len(serial) > 40 {
		return Verification{}, nil
	}
	cert, err := s.publication.CertificateBySerial(ctx, serial)
	if ErrorCode(err) == ENotFound {
		return Verification{}, nil
	}
	if err != nil {
		return Verification{}, err
	}
	c, err := s.contests.ContestByID(ctx, cert.ContestID)
	if err != nil {
		return Verification{}, err
	}
	return Verification{Found: true, Certificate: cert, Contest: c, Issuer: c.Publication.Certificate.Issuer}, nil
}

// CertificateLink returns the verification address of a serial under the public base URL.
func CertificateLink(baseURL, serial string) string {
	return strings.TrimRight(baseURL, "/") + "/verify/" + serial
}

// certificateDoc is what a certificate prints. Its date (unless the template fixes one) is the
// day it was issued, which a certificate keeps when the results are published again.
func (s *PublicationService) certificateDoc(c Contest, cert Certificate) CertificateDoc {
	return c.Publication.Certificate.Doc(c, cert, CertificateLink(s.baseURL, cert.Serial), cert.IssuedAt)
}

// errNoBaseURL refuses certificates whose QR code would point nowhere useful.
var errNoBaseURL = Errorf(EUnavailable, "未设置网站地址（CONTEST_BASE_URL），证书上的验证二维码无法生成，请联系主办方")

// WriteCertificate renders the valid certificate with the serial as a PDF, for its work's
// owner or an organizer.
func (s *PublicationService) WriteCertificate(ctx context.Context, actor User, serial string, w io.Writer) (Certificate, error) {
	if s.certificates == nil {
		return Certificate{}, Errorf(EUnavailable, "证书生成暂不可用（缺少中文字体），请联系主办方")
	}
	if s.baseURL == "" {
		return Certificate{}, errNoBaseURL
	}
	cert, err := s.publication.CertificateBySerial(ctx, serial)
	if err != nil {
		return Certificate{}, err
	}
	if id, ok := ContestScope(ctx); ok && id != cert.ContestID { // the serial is another contest's
		return Certificate{}, Errorf(ENotFound, "证书不存在")
	}
	if !actor.IsOrganizer() {
		sub, err := s.submissions.SubmissionByID(ctx, cert.WorkID)
		if err != nil || sub.OwnerID != actor.ID {
			return Certificate{}, Errorf(ENotFound, "证书不存在")
		}
	}
	c, err := s.contests.ContestByID(ctx, cert.ContestID)
	if err != nil {
		return Certificate{}, err
	}
	if !cert.Valid() || c.Publication.PublishedAt == nil {
		return Certificate{}, Errorf(ENotFound, "证书不存在或已作废")
	}
	return cert, s.certificates.RenderCertificate(w, s.certificateDoc(c, cert))
}

// PreviewCertificate renders a certificate with the contest's current template for the
// organizers to see before publishing: the best-ranked winner as confirmed, or sample names.
// Its serial says it is a sample and verifies as unknown.
func (s *PublicationService) PreviewCertificate(ctx context.Context, actor User, w io.Writer) error {
	if err := requireOrganizer(actor); err != nil {
		return err
	}
	if s.certificates == nil {
		return Errorf(EUnavailable, "证书生成暂不可用（缺少中文字体），请设置 CONTEST_CERT_FONT")
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	cert := Certificate{Serial: "SAMPLE-样例", Tier: TierFirst, Title: "作品名称", Names: []string{"张三", "李四"},
		Employer: "工作单位", IssuedAt: s.Now()}
	if len(c.Categories) > 0 {
		cert.Category = c.Categories[0].Name
	}
	t, err := s.judging.awardTable(ctx, c)
	if err != nil {
		return err
	}
	for _, a := range t.Awards {
		if a.Final != TierNone {
			sub := t.works[a.WorkID]
			cert.Tier, cert.Title, cert.Names, cert.Employer = a.Final, sub.Registration.Title, creators(sub), sub.Registration.Employer
			cert.Category = groupName(t.Groups, a.Category)
			break
		}
	}
	return s.certificates.RenderCertificate(w, c.Publication.Certificate.Doc(c, cert, CertificateLink(s.baseURL, cert.Serial), s.Now()))
}

// IssuedCertificates lists every certificate of the contest, revoked ones too, for the
// organizers to answer questions about a serial. Organizers only.
func (s *PublicationService) IssuedCertificates(ctx context.Context, actor User) ([]Certificate, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	return s.publication.Certificates(ctx, c.ID)
}
