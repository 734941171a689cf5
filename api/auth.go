package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"strata/geo"
	"strata/internal/auth"
)

// Writers present a token as "Authorization: Bearer SECRET". The tokens,
// hashes only, are read from the store (another process, strata token,
// creates and revokes them) and kept for tokenTTL, so that a revoked
// token stops working within that time.
// An unknown secret reads them again at once, so that a token just
// created works at once (a wrong secret costs one read of the small
// tokens table).
const tokenTTL = time.Second

// tokenCache holds the store's tokens for a short time.
type tokenCache struct {
	store geo.Store
	mu    sync.Mutex
	list  []geo.Token
	read  time.Time // when list was read; zero: never
}

// get returns the tokens, read again when older than maxAge.
func (c *tokenCache) get(ctx context.Context, maxAge time.Duration) ([]geo.Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.read.IsZero() && time.Since(c.read) < maxAge {
		return c.list, nil
	}
	list, err := c.store.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	c.list, c.read = list, time.Now()
	return list, nil
}

// writer returns the valid token of the request's bearer secret.
// ErrUnauthorized when there is no secret, or it is unknown, expired or
// revoked. The secret itself never appears in an error.
func (s *Server) writer(r *http.Request) (geo.Token, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return geo.Token{}, &geo.Error{Kind: geo.ErrUnauthorized, Message: `a write needs a token: send "Authorization: Bearer TOKEN" (strata token create makes one)`}
	}
	secret, ok := auth.Bearer(h)
	if !ok {
		return geo.Token{}, &geo.Error{Kind: geo.ErrUnauthorized, Message: `the Authorization header is not of the form "Bearer TOKEN"`}
	}
	ctx := r.Context()
	tokens, err := s.tokens.get(ctx, tokenTTL)
	if err != nil {
		return geo.Token{}, err
	}
	tok, err := auth.Find(tokens, secret, time.Now())
	if err != nil {
		// Perhaps created since the tokens were read.
		if tokens, err2 := s.tokens.get(ctx, 0); err2 != nil {
			return geo.Token{}, err2
		} else if tok, err2 = auth.Find(tokens, secret, time.Now()); err2 == nil {
			return tok, nil
		}
		return geo.Token{}, err
	}
	return tok, nil
}

// mayWrite checks that the request may write layer: the server is not
// read-only, the request comes from an origin allowed to write, and its
// token is valid and may write that layer. It returns the token, whose
// name is the author of the write.
func (s *Server) mayWrite(r *http.Request, layers ...string) (geo.Token, error) {
	if s.cfg.ReadOnly {
		return geo.Token{}, apiError(errReadOnly, "this server is read-only: it accepts no writes")
	}
	if err := s.checkWriteOrigin(r); err != nil {
		return geo.Token{}, err
	}
	tok, err := s.writer(r)
	if err != nil {
		return geo.Token{}, err
	}
	for _, l := range layers {
		if !tok.CanWrite(l) {
			return geo.Token{}, &geo.Error{Kind: geo.ErrForbidden, Message: "token " + tok.Name + " may not write layer " + l}
		}
	}
	return tok, nil
}

// canWrite reports, for OPTIONS, whether the request's token may write
// layer (false for no token or a bad one: OPTIONS then lists reads).
func (s *Server) canWrite(r *http.Request, layer string) bool {
	if r.Header.Get("Authorization") == "" {
		return false
	}
	_, err := s.mayWrite(r, layer)
	return err == nil
}

// writeOrigin reports whether a browser page of origin may write: the
// server's own origin, or one listed by name in Config.CORSOrigins.
func (s *Server) writeOrigin(r *http.Request, origin string) bool {
	if origin == "" {
		return true // not a browser's cross-origin request
	}
	if slices.Contains(s.cfg.CORSOrigins, origin) {
		return true
	}
	u, err := url.Parse(s.baseURL(r))
	return err == nil && strings.EqualFold(origin, u.Scheme+"://"+u.Host)
}

// checkWriteOrigin refuses a write from a browser page on an origin that
// may not write (see writeOrigin). Browsers send Origin with every POST,
// PUT, PATCH and DELETE; a page elsewhere cannot forge it.
func (s *Server) checkWriteOrigin(r *http.Request) error {
	if o := r.Header.Get("Origin"); !s.writeOrigin(r, o) {
		return &geo.Error{Kind: geo.ErrForbidden, Message: "writes from pages on " + short(o) + " are not allowed (the server's CORS allow-list does not name that origin)"}
	}
	return nil
}
