// Package contest holds the domain of the short-video contest: contests, accounts, submissions
// (the 报名登记表), participants and their consent (the 作品授权书), the rules that govern them, and
// the small interfaces the domain needs from storage and the database. It imports no web framework,
// ORM, object store or media tool; adapters under internal/ implement its interfaces.
package contest

import (
	"errors"
	"fmt"
	"time"
)

// Error codes shared by the whole application. They are stable: programs match on them.
const (
	EInvalid      = "invalid"         // input fails validation; see Error.Fields
	ENotFound     = "not_found"       // the thing does not exist or is not visible to the caller
	EConflict     = "conflict"        // the request clashes with the current state (e.g. email taken)
	EUnauthorized = "unauthorized"    // not signed in, or wrong credentials
	EForbidden    = "forbidden"       // signed in, but the role or ownership does not allow it
	EDeadline     = "deadline_passed" // the collection window has closed
	ENotOpen      = "not_open"        // the collection window has not opened yet
	EIncomplete   = "incomplete"      // a submission cannot be final yet; see Error.Fields
	EUnavailable  = "unavailable"     // a part the request needs is not installed or not reachable
	EInternal     = "internal"        // anything else; its detail is logged, never shown

	EBadRequest      = "bad_request"              // the request is malformed (not a form or query the server reads)
	EBadJSON         = "bad_json"                 // the body is not valid JSON
	EUnknownField    = "unknown_field"            // the body has a field the operation does not take; see Error.Fields
	ETooLarge        = "too_large"                // the body is larger than the server accepts
	ETooManyRequests = "too_many_requests"        // a rate limit was hit; try again later
	EPasswordChange  = "password_change_required" // signed in with a temporary password: choose one first
	EEmailUnverified = "email_unverified"         // the contest requires a verified address for this
	EArchived        = "archived"                 // the contest is archived: read-only
)

// ErrStale is returned by a store when a conditional write finds the record changed since it
// was read; the service reads it again and decides anew, or answers EConflict.
var ErrStale = &Error{Code: EConflict, Message: "内容已在别处被修改，请刷新页面后重试"}

// Error is the application's error: a stable code, a Chinese message for people, and for
// validation errors a code and message per field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]FieldError
	Err     error // the cause, for logs only
	// RetryAfter, for EUnavailable and ETooManyRequests, is when the client may try again (0:
	// the handler's default). An outage is not a bug: the client is told to wait, not that it
	// failed.
	RetryAfter time.Duration
}

// FieldError is the verdict on one input field: a stable machine code and a Chinese message.
type FieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted Chinese message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable is an EUnavailable error: something the request needs (the database, storage,
// disk space, a busy pool) does not answer now; the client should try again after retryAfter.
func Unavailable(message string, retryAfter time.Duration, cause error) *Error {
	return &Error{Code: EUnavailable, Message: message, Err: cause, RetryAfter: retryAfter}
}

// RetryAfterOf returns the RetryAfter of the first *Error in err's chain.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Internal wraps an unexpected error; its text never reaches a client.
func Internal(err error) *Error {
	return &Error{Code: EInternal, Message: "服务器内部错误，请稍后重试", Err: err}
}

// ErrorCode returns the code of err: the code of the first *Error in its chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the people-facing message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return "服务器内部错误，请稍后重试"
}

// ErrorFields returns the per-field errors of err, or nil.
func ErrorFields(err error) map[string]FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Fields collects per-field validation errors; the zero value is ready to use.
type Fields map[string]FieldError

// Add records the first error for a field; later errors for the same field are ignored so the
// person sees the most basic problem first.
func (f *Fields) Add(field, code, message string) {
	if *f == nil {
		*f = Fields{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = FieldError{Code: code, Message: message}
	}
}

// Err returns an EInvalid *Error carrying the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "填写内容有误，请按提示修改", Fields: f}
}
