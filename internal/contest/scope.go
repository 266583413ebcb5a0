package contest

import "context"

// scopeKey is where a context carries the contest a request is about.
type scopeKey struct{}

// InContest returns ctx about the contest id: the contest of a request's URL (/c/{slug}/…, or the
// default contest for the unprefixed routes). Stores read it so that, in a contest's context,
// only that contest's rows are found: a work, objection or export of another contest is not
// found, whatever its id. Background jobs carry no contest and see every row.
func InContest(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, scopeKey{}, id)
}

// InContest(ctx, "") is about no contest: the owner's own lookups across contests use it.

// ContestScope returns the contest ctx is about, if any.
func ContestScope(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(scopeKey{}).(string)
	return id, ok && id != ""
}
