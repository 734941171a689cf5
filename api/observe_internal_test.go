package api

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactedURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/collections", "/collections"},
		{"/x?limit=5", "/x?limit=5"},
		{"/x?token=abc", "/x?token=[redacted]"},
		{"/x?a=1&Access_Token=abc&b=2", "/x?a=1&Access_Token=[redacted]&b=2"},
		{"/x?a=1;token=abc", "/x?a=1;token=[redacted]"},
		{"/x?api%5Fkey=abc", "/x?api%5Fkey=[redacted]"},
		{"/x?password=%ZZ", "/x?password=[redacted]"},
		{"/x?token", "/x?token"},
		{"/x?token=a=b&&", "/x?token=[redacted]&&"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			path, raw, _ := strings.Cut(c.in, "?")
			if got := redactedURL(&url.URL{Path: path, RawQuery: raw}); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// FuzzRedactedURL checks that a token after any query prefix, however
// malformed, never reaches the log.
func FuzzRedactedURL(f *testing.F) {
	f.Add("limit=5", "abc")
	f.Add("x=1;y", "%ZZ")
	f.Add("", "a=b")
	f.Fuzz(func(t *testing.T, prefix, secret string) {
		if secret == "" || strings.ContainsAny(secret, "&;") {
			return
		}
		got := redactedURL(&url.URL{Path: "/x", RawQuery: prefix + "&token=" + secret})
		if !strings.HasSuffix(got, "&token=[redacted]") {
			t.Fatalf("prefix %q, secret %q: logged %q", prefix, secret, got)
		}
	})
}
