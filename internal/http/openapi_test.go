package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
