package contest

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
)

// writeCertificates renders every valid certificate into z, in serial order. It renders on
// all cores but one (the other keeps answering pages and checking videos), with a bounded
// number of documents in memory. A certificate that cannot be drawn (a character no font has)
// does not sink the others: it is listed in 未能生成的证书.txt and in the job's note.
func (s *ReportService) writeCertificates(ctx context.Context, c Contest, z *zip.Writer, progress func(done, total int) error, note *string) error {
	if s.pub.certificates == nil {
		return Errorf(EUnavailable, "证书生成暂不可用：缺少中文字体")
	}
	if s.pub.baseURL == "" {
		return errNoBaseURL
	}
	all, err := s.publication.Certificates(ctx, c.ID)
	if err != nil {
		return err
	}
	var certs []Certificate
	for _, cert := range all {
		if cert.Valid() {
			certs = append(certs, cert)
		}
	}
	type rendered struct {
		buf bytes.Buffer
		err error
	}
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	out := make([]chan *rendered, len(certs))
	for i := range out {
		out[i] = make(chan *rendered, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	window := make(chan struct{}, 2*workers) // documents rendered but not yet in the ZIP
	go func() {
		defer close(next)
		for i := range certs {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		go func() {
			for i := range next {
				r := &rendered{}
				r.err = s.pub.certificates.RenderCertificate(&r.buf, s.pub.certificateDoc(c, certs[i]))
				out[i] <- r
			}
		}()
	}
	var failed []string
	for i, cert := range certs {
		var r *rendered
		select {
		case r = <-out[i]:
			<-window
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.err != nil {
			if !PermanentExportError(r.err) {
				return r.err
			}
			failed = append(failed, fmt.Sprintf("%s《%s》%s：%s", cert.Serial, cert.Title, cert.Recipient, ErrorMessage(r.err)))
		} else {
			name := fmt.Sprintf("%s/%s_%s", cert.Tier.Label(), cert.Serial, safeName(cert.Title, 40))
			if cert.Recipient != "" {
				name += "_" + safeName(cert.Recipient, 20)
			}
			w, err := z.CreateHeader(&zip.FileHeader{Name: name + ".pdf", Method: zip.Deflate, Modified: cert.IssuedAt})
			if err != nil {
				return err
			}
			if _, err := r.buf.WriteTo(w); err != nil {
				return err
			}
		}
		if err := progress(i+1, len(certs)); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		w, err := z.Create("未能生成的证书.txt")
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, strings.Join(failed, "\r\n")+"\r\n"); err != nil {
			return err
		}
		*note = fmt.Sprintf("%d 张证书未能生成（见压缩包内“未能生成的证书.txt”）", len(failed))
	}
	return progress(len(certs), len(certs))
}
