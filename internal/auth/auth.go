// Package auth makes and checks writers' tokens. A token's secret is
// shown once, when it is made; the store keeps only its SHA-256 hash
// (geo.Token.Hash). The secret carries 256 random bits, so a plain hash
// is enough: there is nothing to guess.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"

	"strata/geo"
)

// Prefix begins every secret, so that secret scanners and people can
// tell a Strata token at a glance.
const Prefix = "strata_"

// NewSecret returns a new random secret and its hash.
func NewSecret() (secret string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	secret = Prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, Hash(secret), nil
}

// Hash returns the SHA-256 of a secret, as stored.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Bearer returns the token of an Authorization header value of the form
// "Bearer TOKEN" (the scheme in any case), and whether there was one.
func Bearer(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// Find returns the token among tokens whose hash is that of secret and
// that is valid at now. It compares every stored hash in constant time,
// and looks at all of them whatever it finds, so that its time tells
// nothing about the secret. ErrUnauthorized when none matches or the
// match is expired or revoked.
func Find(tokens []geo.Token, secret string, now time.Time) (geo.Token, error) {
	h := Hash(secret)
	found := -1
	for i := range tokens {
		if subtle.ConstantTimeCompare(tokens[i].Hash, h) == 1 {
			found = i
		}
	}
	if found < 0 {
		return geo.Token{}, &geo.Error{Kind: geo.ErrUnauthorized, Message: "the token is not known"}
	}
	t := tokens[found]
	if !t.Revoked.IsZero() {
		return geo.Token{}, &geo.Error{Kind: geo.ErrUnauthorized, Message: "the token has been revoked"}
	}
	if !t.Valid(now) {
		return geo.Token{}, &geo.Error{Kind: geo.ErrUnauthorized, Message: "the token has expired"}
	}
	return t, nil
}
