// Package geo is Strata's domain: layers of dated features, the time and
// space filters clients send, and the Store contract that every storage
// back end implements.
//
// geo depends only on the standard library and orb. It knows nothing of
// HTTP or SQL: the api package maps its errors to status codes, and the
// stores under data/ implement Store.
package geo

import (
	"errors"
	"fmt"
)

// Error kinds. Every error a Store or parser returns wraps one of these, so
// callers can branch with errors.Is; the message of an *Error is safe to
// show to a user.
var (
	// ErrNotFound means the named layer, feature or briefing does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input was malformed or broke a rule.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means the input clashes with stored data, such as a
	// duplicate id.
	ErrConflict = errors.New("conflict")
	// ErrPrecondition means a conditional write found another version
	// than the one it expected (see StaleError).
	ErrPrecondition = errors.New("precondition failed")
	// ErrUnauthorized means a write came without a valid credential.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden means the credential may not write there.
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable means the store cannot be reached for now (a lost
	// database connection): the request may be retried later.
	ErrUnavailable = errors.New("storage unavailable")
)

// Error is an error whose message is meant for the user. Param names the
// request parameter or input field at fault, where there is one.
type Error struct {
	Kind    error
	Param   string
	Message string
}

// Error returns the user-facing message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the error kind, so errors.Is(err, ErrInvalid) works.
func (e *Error) Unwrap() error { return e.Kind }

// Invalidf returns an ErrInvalid error about param with a formatted message.
// The message should name param so that it reads well on its own.
func Invalidf(param, format string, args ...any) error {
	return &Error{Kind: ErrInvalid, Param: param, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns an ErrNotFound error with a formatted message.
func NotFoundf(format string, args ...any) error {
	return &Error{Kind: ErrNotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflictf returns an ErrConflict error with a formatted message.
func Conflictf(format string, args ...any) error {
	return &Error{Kind: ErrConflict, Message: fmt.Sprintf(format, args...)}
}
