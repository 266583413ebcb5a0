package http_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// apiSpecPath is the OpenAPI description of the JSON API, relative to this package.
const apiSpecPath = "../../api/openapi.yaml"

// apiSpec is the spec and its router, loaded and validated once per test binary.
var apiSpec struct {
	once   sync.Once
	router routers.Router
	err    error
}

// specRouter returns the router over api/openapi.yaml; an invalid spec fails the test.
func specRouter(t testing.TB) routers.Router {
	t.Helper()
	apiSpec.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromFile(apiSpecPath)
		if err != nil {
			apiSpec.err = err
			return
		}
		if apiSpec.err = doc.Validate(context.Background()); apiSpec.err != nil {
			return
		}
		// The spec's server is the embedded default; the tests serve on a random loopback port.
		doc.Servers = nil
		closeResponseObjects(doc)
		apiSpec.router, apiSpec.err = gorillamux.NewRouter(doc)
	})
	if apiSpec.err != nil {
		t.Fatalf("%s: %v", apiSpecPath, apiSpec.err)
	}
	return apiSpec.router
}

// closeResponseObjects makes every object schema of a response that lists its properties
// refuse others (additionalProperties: false, unless the spec says otherwise). OpenAPI 3.0
// objects are open by default, which would let a field the server sends but the spec does not
// describe pass; here it is drift. Only this test's copy of the spec changes.
func closeResponseObjects(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			s.AdditionalProperties.Has = openapi3.Ptr(false)
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, res := range op.Responses.Map() {
				for _, mt := range res.Value.Content {
					walk(mt.Schema)
				}
			}
		}
	}
}

// validateAgainstSpec fails the test when an answer of the JSON API (a path under /api/v1/)
// is not what the spec documents for the request: its status (explicitly, or through a range
// such as 4XX, or default), its content type and headers, and its body against the schema.
// Every API answer the tests see must be described: there is no list of exceptions. Other
// paths (pages, probes, static files, storage) are not checked.
func validateAgainstSpec(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	if rest, ok := strings.CutPrefix(req.URL.Path, "/api/v1/contests/"); ok && strings.Contains(rest, "/") {
		// The same operations about one contest (/api/v1/contests/{slug}/…), as the spec says.
		_, rest, _ = strings.Cut(rest, "/")
		req = req.Clone(req.Context())
		req.URL.Path, req.URL.RawPath = "/api/v1/"+rest, ""
	}
	route, params, err := specRouter(t).FindRoute(req)
	if err != nil {
		t.Errorf("openapi: %s %s = %d: no operation in %s: %v", req.Method, req.URL.Path, status, apiSpecPath, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                validateOptions,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		t.Errorf("openapi: %s %s = %d does not match %s: %v\nbody: %.500s", req.Method, req.URL.Path, status, apiSpecPath, err, body)
	}
}

// validateOptions require a documented status and report every schema error, each in one line.
var validateOptions = func() *openapi3filter.Options {
	o := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return "/" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
	})
	return o
}()

// readValidated reads a response of the test server and checks it against the spec.
func readValidated(t testing.TB, res *http.Response) []byte {
	t.Helper()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", res.Request.Method, res.Request.URL.Path, err)
	}
	res.Body = io.NopCloser(bytes.NewReader(raw))
	validateAgainstSpec(t, res.Request, res.StatusCode, res.Header, raw)
	return raw
}

// errorRecorder is a testing.TB that keeps what is reported to it instead of failing.
type errorRecorder struct {
	testing.TB
	errs []string
}

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestSpecValidator_ReportsAnswersTheSpecDoesNotDescribe(t *testing.T) {
	jsonType := http.Header{"Content-Type": {"application/json"}}
	notFound := `{"error":{"code":"not_found","message":"活动不存在"}}`
	for _, tc := range []struct {
		name, path string
		status     int
		header     http.Header
		body       string
		want       string // in the report; "" for none
	}{
		{"documented", "/api/v1/contest", 404, jsonType, notFound, ""},
		{"undocumented status", "/api/v1/contest", 418, jsonType, notFound, "status is not supported"},
		{"stray field", "/api/v1/contest", 404, jsonType, `{"error":{"code":"not_found","message":"m","hint":"h"}}`, `property "hint" is unsupported`},
		{"missing field", "/api/v1/contest", 404, jsonType, `{"error":{"code":"not_found"}}`, `property "message" is missing`},
		{"content type", "/api/v1/contest", 404, http.Header{"Content-Type": {"text/html"}}, "<p>不存在</p>", "text/html"},
		{"unknown route", "/api/v1/nothing-here", 404, jsonType, notFound, "no operation"},
		{"not the API", "/healthz", 418, nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &errorRecorder{TB: t}
			validateAgainstSpec(rec, httptest.NewRequest(http.MethodGet, tc.path, nil), tc.status, tc.header, []byte(tc.body))
			got := strings.Join(rec.errs, "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("report = %q, want one containing %q", got, tc.want)
			}
		})
	}
}
