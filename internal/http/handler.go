package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/jskx/contest/internal/contest"
)

// bind decodes a JSON body into dst; a malformed one is a 400 with a stable code, and a field
// dst does not have is a 422 unknown_field naming it: a misspelt or misplaced setting is refused,
// never ignored with a 200. Other content types are read as Echo reads them.
func bind(c echo.Context, dst any) error {
	r := c.Request()
	if !strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		if err := (&echo.DefaultBinder{}).BindBody(c, dst); err != nil {
			return contest.Errorf(contest.EBadJSON, "请求内容不是有效的JSON")
		}
		return nil
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if name, ok := unknownField(err); ok {
		return &contest.Error{Code: contest.EUnknownField, Message: "不认识的字段：" + name,
			Fields: map[string]contest.FieldError{name: {Code: contest.EUnknownField, Message: "不认识的字段：" + name}}}
	}
	if err != nil && !errors.Is(err, io.EOF) { // an empty body leaves dst as it is
		return contest.Errorf(contest.EBadJSON, "请求内容不是有效的JSON")
	}
	return nil
}

// unknownField returns the name in encoding/json's error for a field the target lacks.
func unknownField(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	_, quoted, ok := strings.Cut(err.Error(), "unknown field ")
	if !ok {
		return "", false
	}
	name, uerr := strconv.Unquote(quoted)
	return name, uerr == nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// serveVideo sends a stored video: with ?inline=1 to play in the page (its web copy when there
// is one), otherwise as a download under v.Name. S3 storage answers through a redirect to a
// presigned URL, which serves range requests itself.
func (s *Server) serveVideo(c echo.Context, v contest.Video) error {
	ctx := c.Request().Context()
	kind := "attachment"
	if c.QueryParam("inline") != "" {
		kind = "inline"
	}
	disposition := mime.FormatMediaType(kind, map[string]string{"filename": v.Name})
	if kind == "inline" && v.Check.WebCopy {
		v.Key = contest.WebCopyKey(v.Key) // the same video with its index first, for players
	}
	link, err := s.svc.Media.VideoURL(ctx, v, disposition)
	if err != nil {
		return err
	}
	if link != "" {
		return c.Redirect(http.StatusFound, link)
	}
	rc, err := s.svc.Media.OpenVideo(ctx, v)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := c.Response().Header()
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Type", v.ContentType)
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(c.Response(), c.Request(), "", v.UploadedAt, rs)
		return nil
	}
	h.Set("Content-Length", strconv.FormatInt(v.Size, 10))
	return c.Stream(http.StatusOK, v.ContentType, rc)
}

// formError shows a form again with its errors: invalid input as inline messages with status
// 422, other refusals (deadline, wrong password, the database busy) as a message at the top
// with their status, so what was typed is not lost.
func (s *Server) formError(c echo.Context, page, title string, err error, data any) error {
	code := contest.ErrorCode(err)
	if code == contest.EInternal || clientGone(c, err) {
		return err
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusBadRequest
	}
	s.tryAgainLater(c, status, err)
	v := view{Title: title, Data: data, Errors: contest.ErrorFields(err)}
	if len(v.Errors) == 0 || code != contest.EInvalid {
		v.ErrorMsg = contest.ErrorMessage(err)
	} else {
		v.ErrorMsg = "填写内容有误，请按提示修改"
	}
	return s.render(c, status, page, v)
}

// sortedFields returns field errors in a stable order for display.
func sortedFields(f map[string]contest.FieldError) []contest.FieldError {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]contest.FieldError, len(keys))
	for i, k := range keys {
		out[i] = f[k]
	}
	return out
}

// sendFile sends a download under a Chinese file name.
func sendFile(c echo.Context, name, contentType string, size int64, r io.Reader) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "private, no-store")
	return c.Stream(http.StatusOK, contentType, r)
}

func (s *Server) baseURL(c echo.Context) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// formParams returns the request's form; a body that is not a readable form is EBadRequest.
func formParams(c echo.Context) (url.Values, error) {
	values, err := c.FormParams()
	if err != nil {
		return nil, contest.Errorf(contest.EBadRequest, "表单格式有误")
	}
	return values, nil
}

// errBadText refuses text that no field can hold.
var errBadText = contest.Errorf(contest.EBadRequest, "提交的内容包含无效字符（空字符或非UTF-8编码），请检查后重试")

// rejectBadText refuses a JSON body or a form whose text has a NUL character or is not UTF-8,
// before any handler reads it: no field may hold either, and a database would refuse them with
// an error that is not the client's business. It reads at most limit bytes (the JSON and form
// limit): uploads (multipart scans, video parts) are binary, have their own limits, and are
// left alone.
func rejectBadText(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Method != http.MethodPost && r.Method != http.MethodPut || isUpload(r.URL.Path) {
				return next(c)
			}
			switch ct := r.Header.Get(echo.HeaderContentType); {
			case strings.HasPrefix(ct, echo.MIMEApplicationJSON):
				body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
				var tooLarge *echo.HTTPError
				switch {
				case errors.As(err, &tooLarge):
					return err
				case err != nil: // stalled past the body timeout, or cut off
					return contest.Errorf(contest.EBadRequest, "请求内容未完整送达，请重试")
				case int64(len(body)) > limit:
					return contest.Errorf(contest.ETooLarge, "提交的内容过大")
				}
				if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || badJSONText(body) {
					return errBadText
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			case strings.HasPrefix(ct, echo.MIMEApplicationForm):
				form, err := formParams(c)
				if err != nil {
					return err
				}
				for _, vs := range form {
					for _, v := range vs {
						if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
							return errBadText
						}
					}
				}
			}
			return next(c)
		}
	}
}

// isUpload tells the routes that take files: a scan of the signed form, a video part.
func isUpload(path string) bool {
	return strings.HasSuffix(path, "/scan") || strings.HasPrefix(path, "/api/v1/parts/")
}

// badJSONText reports whether a JSON body's decoded text (keys and strings) holds a NUL
// character, which an escape (\u0000) can carry past a byte check. A body that is not JSON is
// left for the handler to refuse.
func badJSONText(body []byte) bool {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return false // the only way to write NUL in valid JSON text
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var bad func(any) bool
	bad = func(v any) bool {
		switch v := v.(type) {
		case string:
			return strings.IndexByte(v, 0) >= 0
		case []any:
			return slices.ContainsFunc(v, bad)
		case map[string]any:
			for k, x := range v {
				if strings.IndexByte(k, 0) >= 0 || bad(x) {
					return true
				}
			}
		}
		return false
	}
	return bad(v)
}
