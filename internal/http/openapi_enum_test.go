package http

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
)

// specEnum returns the enum at a path of keys into the spec's components.schemas.
func specEnum(t *testing.T, spec map[string]any, path ...string) []string {
	t.Helper()
	var node any = spec["components"].(map[string]any)["schemas"]
	for _, k := range path {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("spec: no %v", path)
		}
		node = m[k]
	}
	list, ok := node.(map[string]any)["enum"].([]any)
	if !ok {
		t.Fatalf("spec: %v has no enum", path)
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = v.(string)
	}
	slices.Sort(out)
	return out
}

// The spec's enums list exactly what the server answers: a stage or an error code added in Go
// and not in api/openapi.yaml (as `withdrawn` once was) fails here, not in a client.
func TestOpenAPI_EnumsMatchTheDomain(t *testing.T) {
	spec := loadSpec(t)
	var stages []string
	for _, st := range contest.Stages() {
		stages = append(stages, string(st))
	}
	slices.Sort(stages)
	if diff := cmp.Diff(stages, specEnum(t, spec, "Publication", "properties", "stage")); diff != "" {
		t.Errorf("Publication.stage enum differs from contest.Stages() (-go +spec):\n%s", diff)
	}
	var codes []string
	for code := range statusOf {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	if diff := cmp.Diff(codes, specEnum(t, spec, "ErrorCode")); diff != "" {
		t.Errorf("ErrorCode enum differs from the codes the server maps to statuses (-go +spec):\n%s", diff)
	}
}
