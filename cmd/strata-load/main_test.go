package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func writePaths(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "paths.txt")
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestRunLoad(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("hello"))
	}))
	defer srv.Close()
	paths := writePaths(t, "/a\n/b\n/missing\n")
	tests := []struct {
		name  string
		extra []string
		check func(t *testing.T, out string)
	}{
		{"text", nil, func(t *testing.T, out string) {
			for _, want := range []string{"req/s", "latency p99", "non-2xx", "10 × 404"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		}},
		{"json", []string{"-json"}, func(t *testing.T, out string) {
			var res struct {
				Requests int         `json:"requests"`
				Non2xx   int         `json:"non_2xx"`
				Status   map[int]int `json:"status"`
				Server   *struct {
					PID int `json:"pid"`
				} `json:"server"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			if res.Requests != 30 || res.Non2xx != 10 || res.Status[200] != 20 {
				t.Errorf("result %+v", res)
			}
			if res.Server == nil || res.Server.PID != os.Getpid() {
				t.Errorf("server stats %+v", res.Server)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			args := append([]string{"-url", srv.URL, "-paths", paths, "-c", "2", "-warmup", "0s", "-max-requests", "30"}, tt.extra...)
			if tt.name == "json" {
				args = append(args, "-pid", strconv.Itoa(os.Getpid()))
			}
			var out, errOut bytes.Buffer
			if err := run(context.Background(), args, &out, &errOut); err != nil {
				t.Fatalf("run: %v\n%s", err, errOut.String())
			}
			if hits.Load() != 30 {
				t.Errorf("server saw %d requests, want 30", hits.Load())
			}
			tt.check(t, out.String())
		})
	}
}

func TestRunMakePaths(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "load", "testdata", "bench")
	tests := []struct {
		args  []string
		first string
		n     int
	}{
		{[]string{"-make-paths", "items", "-bench-dir", dir, "-layer", "lines"}, "/collections/lines/items?bbox=34.453125,30.751278,34.804688,31.052934&datetime=2023-10-15&limit=1000", 3},
		{[]string{"-make-paths", "tiles", "-bench-dir", dir}, "/tiles/WebMercatorQuad/8/104/151?datetime=2023-10-15", 3},
	}
	for _, tt := range tests {
		t.Run(tt.args[1], func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), tt.args, &out, &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != tt.n || lines[0] != tt.first {
				t.Errorf("output:\n%s\nwant %d lines starting %s", out.String(), tt.n, tt.first)
			}
		})
	}
}

func TestRunRefuses(t *testing.T) {
	paths := writePaths(t, "/a\n")
	tests := []struct {
		name  string
		args  []string
		usage bool
	}{
		{"remote URL", []string{"-url", "http://192.0.2.7:8080", "-paths", paths}, true},
		{"host name", []string{"-url", "https://example.org", "-paths", paths}, true},
		{"no paths", []string{"-url", "http://127.0.0.1:1"}, true},
		{"extra argument", []string{"-paths", paths, "x"}, true},
		{"zero connections", []string{"-paths", paths, "-c", "0"}, true},
		{"zero duration", []string{"-paths", paths, "-d", "0s"}, true},
		{"bad flag", []string{"-nope"}, false},
		{"missing paths file", []string{"-paths", filepath.Join(t.TempDir(), "none.txt")}, false},
		{"bad paths file", []string{"-paths", writePaths(t, "relative/path\n")}, false},
		{"unknown list", []string{"-make-paths", "roads", "-bench-dir", t.TempDir()}, false},
		{"remote replay address", []string{"-url", "http://127.0.0.1:1", "-paths", paths, "-replay", "192.0.2.7:8080"}, true},
		{"replay address without port", []string{"-url", "http://127.0.0.1:1", "-paths", paths, "-replay", "127.0.0.1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, &out, &out)
			if err == nil {
				t.Fatal("no error")
			}
			var u usageError
			if errors.As(err, &u) != tt.usage {
				t.Errorf("error %v: usage error %v, want %v", err, errors.As(err, &u), tt.usage)
			}
			if strings.Contains(tt.name, "URL") || tt.name == "host name" {
				if !strings.Contains(err.Error(), "not loopback") {
					t.Errorf("error %q does not say the host is not loopback", err)
				}
			}
		})
	}
}

// TestRunReplay records from one server, replays on a loopback port, and
// checks the replayed bytes and the shutdown on cancel.
func TestRunReplay(t *testing.T) {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("page " + r.URL.RequestURI()))
	}))
	defer origin.Close()
	paths := writePaths(t, "/a?x=1\n/b\n")
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error)
	go func() {
		done <- run(ctx, []string{"-url", origin.URL, "-paths", paths, "-replay", "127.0.0.1:0"}, out, out)
	}()
	var addr string
	for i := 0; addr == "" && i < 500; i++ {
		if _, rest, ok := strings.Cut(out.String(), "on http://"); ok {
			addr = strings.TrimSpace(rest)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("no replay address in %q (%v)", out.String(), <-done)
	}
	origin.Close() // the replay must not need it
	res, err := http.Get("http://" + addr + "/a?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "page /a?x=1" || !strings.Contains(out.String(), "replaying 2 paths") {
		t.Errorf("replayed %q; output %q", body, out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("replay after cancel: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
