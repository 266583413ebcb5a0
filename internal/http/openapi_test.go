package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// specPath is the OpenAPI description of the JSON API, relative to this package.
const specPath = "../../api/openapi.yaml"

// httpMethods are the keys of an OpenAPI path item that name operations.
var httpMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

// loadSpec parses the spec into generic YAML values.
func loadSpec(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	var spec map[string]any
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatalf("%s is not valid YAML: %v", specPath, err)
	}
	return spec
}

// specOperations returns "method path" for every operation in the spec, method in lower case.
func specOperations(t *testing.T, spec map[string]any) map[string]bool {
	t.Helper()
	paths, ok := spec["paths"].(map[string]any)
	if !ok {
		t.Fatal("spec has no paths")
	}
	ops := map[string]bool{}
	for path, item := range paths {
		m, ok := item.(map[string]any)
		if !ok {
			t.Errorf("path %s is not a mapping", path)
			continue
		}
		for key := range m {
			if httpMethods[key] {
				ops[key+" "+path] = true
			}
		}
	}
	return ops
}

// echoParam matches Echo's ":name" path parameters.
var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// documented reports whether a route belongs in the spec: the JSON API and the probes.
func documented(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz"
}

func TestOpenAPI_DescribesEveryRoute(t *testing.T) {
	s := New(nil, func(context.Context) error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	ops := specOperations(t, loadSpec(t))

	routes := map[string]bool{}
	for _, r := range s.Routes() {
		method := strings.ToLower(r.Method)
		if !httpMethods[method] || !documented(r.Path) {
			continue // pages, static files, Echo's internal not-found routes
		}
		routes[method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	if len(routes) == 0 {
		t.Fatal("the server registered no API routes")
	}

	var undocumented, phantom []string
	for op := range routes {
		if !ops[op] {
			undocumented = append(undocumented, op)
		}
	}
	for op := range ops {
		if !routes[op] {
			phantom = append(phantom, op)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(phantom)
	var msg strings.Builder
	if len(undocumented) > 0 {
		fmt.Fprintf(&msg, "\nroutes missing from %s:\n  %s", specPath, strings.Join(undocumented, "\n  "))
	}
	if len(phantom) > 0 {
		fmt.Fprintf(&msg, "\noperations in %s that the server does not have:\n  %s", specPath, strings.Join(phantom, "\n  "))
	}
	if msg.Len() > 0 {
		t.Error(msg.String())
	}
}

func TestOpenAPI_IsValidYAMLWithSchemas(t *testing.T) {
	spec := loadSpec(t)
	if v, _ := spec["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Errorf("openapi = %q, want 3.0.x", v)
	}
	components, _ := spec["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	if len(schemas) == 0 {
		t.Fatal("spec has no components/schemas")
	}

	var bad []string
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"]; ok {
				if s, ok := ref.(string); !ok || !resolves(components, s) {
					bad = append(bad, fmt.Sprintf("%s: $ref %v", where, ref))
				}
			}
			for k, child := range v {
				walk(where+"/"+k, child)
			}
		case []any:
			for i, child := range v {
				walk(fmt.Sprintf("%s/%d", where, i), child)
			}
		}
	}
	walk("#", spec)
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("unresolved $ref (only local #/components/<kind>/<name> references are allowed):\n  %s", strings.Join(bad, "\n  "))
	}
}

// resolves reports whether ref is a local "#/components/<kind>/<name>" reference to an existing
// entry: schemas for data, and the other component kinds (responses, parameters, headers) the
// spec shares between operations.
func resolves(components map[string]any, ref string) bool {
	parts := strings.Split(ref, "/")
	if len(parts) != 4 || parts[0] != "#" || parts[1] != "components" {
		return false
	}
	kind, _ := components[parts[2]].(map[string]any)
	_, ok := kind[parts[3]]
	return ok
}

// operation is one operation of the spec as generic YAML.
type operation struct {
	method, path string
	spec         map[string]any
}

func (o operation) String() string { return strings.ToUpper(o.method) + " " + o.path }

// operationsOf returns every operation of the spec, sorted by path and method.
func operationsOf(t *testing.T, spec map[string]any) []operation {
	t.Helper()
	paths, _ := spec["paths"].(map[string]any)
	var ops []operation
	for path, item := range paths {
		m, _ := item.(map[string]any)
		for method, op := range m {
			if o, ok := op.(map[string]any); ok && httpMethods[method] {
				ops = append(ops, operation{method: method, path: path, spec: o})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	return ops
}

// clientError matches the response keys of client errors: an explicit 4xx status or the 4XX range.
var clientError = regexp.MustCompile(`^4([0-9][0-9]|XX)$`)

func TestOpenAPI_EveryAPIOperationDocumentsAClientError(t *testing.T) {
	for _, op := range operationsOf(t, loadSpec(t)) {
		if !strings.HasPrefix(op.path, "/api/") {
			continue // the probes answer 200 or 503, never a client error
		}
		responses, _ := op.spec["responses"].(map[string]any)
		found := false
		for status := range responses {
			found = found || clientError.MatchString(status)
		}
		if !found {
			t.Errorf("%s documents no 4XX response", op)
		}
	}
}

// An outage is not a bug: every operation that reads the database or storage may answer 503
// unavailable with Retry-After, and a client must find that in the spec.
func TestOpenAPI_EveryOperationDocumentsUnavailable(t *testing.T) {
	for _, op := range operationsOf(t, loadSpec(t)) {
		if op.path == "/healthz" {
			continue // touches neither the database nor the storage
		}
		responses, _ := op.spec["responses"].(map[string]any)
		if op.path == "/readyz" {
			if _, ok := responses["503"]; !ok {
				t.Errorf("%s does not document 503", op)
			}
			continue
		}
		r, _ := responses["503"].(map[string]any)
		if r["$ref"] != "#/components/responses/Unavailable" {
			t.Errorf("%s does not document 503 as #/components/responses/Unavailable (%v)", op, responses["503"])
		}
	}
}

func TestOpenAPI_EveryOperationWithABodyDocumentsItsRefusals(t *testing.T) {
	for _, op := range operationsOf(t, loadSpec(t)) {
		body, ok := op.spec["requestBody"].(map[string]any)
		if !ok {
			continue
		}
		responses, _ := op.spec["responses"].(map[string]any)
		// Every route limits the size of its body (413 too_large).
		if _, ok := responses["413"]; !ok {
			t.Errorf("%s takes a body but does not document 413", op)
		}
		// A JSON body that does not parse is 400 bad_json.
		content, _ := body["content"].(map[string]any)
		if _, json := content["application/json"]; json {
			if _, ok := responses["400"]; !ok {
				t.Errorf("%s takes JSON but does not document 400", op)
			}
			// A field the operation does not take is 422 unknown_field.
			if _, ok := responses["422"]; !ok {
				t.Errorf("%s takes JSON but does not document 422 (unknown_field)", op)
			}
		}
	}
}

// unsafeMethods are the methods the CSRF check applies to.
var unsafeMethods = map[string]bool{"post": true, "put": true, "delete": true, "patch": true}

func TestOpenAPI_SecuritySaysWhoMayCall(t *testing.T) {
	anonymous := anonymousRoutes(t)
	for _, op := range operationsOf(t, loadSpec(t)) {
		alternatives, declared := op.spec["security"].([]any)
		if !declared {
			t.Errorf("%s does not declare its security (`security: []` when no sign-in is needed)", op)
			continue
		}
		open := len(alternatives) == 0 // security: [] — anyone
		for _, alt := range alternatives {
			schemes, _ := alt.(map[string]any)
			_, session := schemes["sessionCookie"]
			open = open || !session
			_, cookie := schemes["csrfCookie"]
			_, header := schemes["csrfHeader"]
			if unsafeMethods[op.method] && !(cookie && header) {
				t.Errorf("%s: the CSRF check needs both csrfCookie and csrfHeader in %v", op, schemes)
			}
			if !unsafeMethods[op.method] && (cookie || header) {
				t.Errorf("%s: a %s is not CSRF-checked, yet security lists %v", op, strings.ToUpper(op.method), schemes)
			}
		}
		if public, known := anonymous[op.method+" "+op.path]; known && public != open {
			if public {
				t.Errorf("%s needs no sign-in, but its security requires sessionCookie", op)
			} else {
				t.Errorf("%s answers 401 without a session, but its security lets anyone call it", op)
			}
		}
	}
}

// anonymousRoutes calls every API route once without a session (with a CSRF token and an empty
// JSON body) and reports, by "method path" as the spec writes it, whether it went past the
// sign-in check. The server has no service: a handler that gets that far fails with 500, so a
// 401 can only come from the sign-in check.
func anonymousRoutes(t *testing.T) map[string]bool {
	t.Helper()
	s := New(nil, func(context.Context) error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	s.echo.Logger.SetOutput(io.Discard) // the recovered nil-service panics

	first := httptest.NewRecorder()
	s.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/api/v1/me", nil))
	token := first.Header().Get("X-CSRF-Token")
	if token == "" {
		t.Fatal("GET /api/v1/me set no CSRF token")
	}

	out := map[string]bool{}
	for _, r := range s.Routes() {
		method := strings.ToLower(r.Method)
		if !httpMethods[method] || !documented(r.Path) {
			continue
		}
		req := httptest.NewRequest(r.Method, echoParam.ReplaceAllString(r.Path, "x"), strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", token)
		for _, c := range first.Result().Cookies() {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code == http.StatusForbidden {
			t.Fatalf("%s %s: 403 %s (the CSRF token was not accepted?)", r.Method, r.Path, rec.Body)
		}
		out[method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = rec.Code != http.StatusUnauthorized
	}
	return out
}
