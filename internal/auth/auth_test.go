package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"strata/geo"
)

func TestFind(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	secret, hash, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, Prefix) || len(hash) != 32 {
		t.Fatalf("NewSecret = %q, %d-byte hash", secret, len(hash))
	}
	other, otherHash, _ := NewSecret()
	if other == secret {
		t.Fatal("two secrets are equal")
	}
	tests := []struct {
		name   string
		tokens []geo.Token
		secret string
		want   string // token name, "" for ErrUnauthorized
	}{
		{"match", []geo.Token{{Name: "o", Hash: otherHash}, {Name: "a", Hash: hash}}, secret, "a"},
		{"unknown", []geo.Token{{Name: "o", Hash: otherHash}}, secret, ""},
		{"none", nil, secret, ""},
		{"expired", []geo.Token{{Name: "a", Hash: hash, Expires: now}}, secret, ""},
		{"not yet expired", []geo.Token{{Name: "a", Hash: hash, Expires: now.Add(time.Second)}}, secret, "a"},
		{"revoked", []geo.Token{{Name: "a", Hash: hash, Revoked: now.Add(-time.Hour)}}, secret, ""},
		{"empty secret", []geo.Token{{Name: "a", Hash: hash}}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Find(tc.tokens, tc.secret, now)
			if tc.want == "" {
				if !errors.Is(err, geo.ErrUnauthorized) {
					t.Fatalf("Find = %v, %v; want ErrUnauthorized", tok.Name, err)
				}
				return
			}
			if err != nil || tok.Name != tc.want {
				t.Fatalf("Find = %q, %v; want %q", tok.Name, err, tc.want)
			}
		})
	}
}

func TestBearer(t *testing.T) {
	tests := []struct {
		header, want string
		ok           bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"Bearer  abc ", "abc", true},
		{"Basic abc", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := Bearer(tc.header)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Bearer(%q) = %q, %v; want %q, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzBearer(f *testing.F) {
	f.Add("Bearer abc")
	f.Add("bEaReR  x y")
	f.Fuzz(func(t *testing.T, h string) {
		tok, ok := Bearer(h)
		if ok != (tok != "") || strings.TrimSpace(tok) != tok {
			t.Fatalf("Bearer(%q) = %q, %v", h, tok, ok)
		}
	})
}
