package load

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecordAndReplay(t *testing.T) {
	var hits int
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.Header.Get("Accept-Encoding") != "" {
			t.Errorf("recording asked for %q", r.Header.Get("Accept-Encoding"))
		}
		switch r.URL.Path {
		case "/missing":
			http.Error(w, "gone", http.StatusNotFound)
		default:
			w.Header().Set("Content-Type", "application/geo+json")
			io.WriteString(w, "body of "+r.URL.RequestURI())
		}
	}))
	defer origin.Close()
	paths := []string{"/a?x=1", "/b", "/a?x=1", "/missing"}
	rec, err := Record(context.Background(), origin.URL, paths)
	if err != nil {
		t.Fatal(err)
	}
	if n, size := rec.Len(); n != 3 || hits != 3 || size != int64(len("body of /a?x=1")+len("body of /b")+len("gone\n")) {
		t.Errorf("Len() = %d, %d after %d requests", n, size, hits)
	}
	replay := httptest.NewServer(rec)
	defer replay.Close()
	for _, c := range []struct {
		path, body, ctype string
		status            int
	}{
		{"/a?x=1", "body of /a?x=1", "application/geo+json", 200},
		{"/b", "body of /b", "application/geo+json", 200},
		{"/missing", "gone\n", "text/plain; charset=utf-8", 404},
		{"/a?x=2", "not recorded: /a?x=2\n", "text/plain; charset=utf-8", 404},
	} {
		res, err := http.Get(replay.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !bytes.Equal(body, []byte(c.body)) || res.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: %d %q %q, want %d %q %q", c.path, res.StatusCode, res.Header.Get("Content-Type"), body, c.status, c.ctype, c.body)
		}
	}
	if hits != 3 {
		t.Errorf("replay reached the origin: %d requests", hits)
	}
	if _, err := Record(context.Background(), "http://example.org", paths); err == nil {
		t.Error("Record from a non-loopback URL: no error")
	}
}
