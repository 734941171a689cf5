package postgis

import (
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"strata/geo"
)

// waitFor polls cond every few milliseconds for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestTwoHandles: two stores on one database see each other's writes: at
// once with ReadVersion, within a second through LISTEN otherwise.
func TestTwoHandles(t *testing.T) {
	a, u := openTest(t, Options{})
	b, err := Open(bg, u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	strict, err := Open(bg, u, Options{ReadVersion: true})
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	if !waitFor(time.Second, b.Listening) {
		t.Fatal("the second store is not listening after a second")
	}
	for i := range 5 {
		writer, reader := a, b
		if i%2 == 1 {
			writer, reader = b, a
		}
		id := string(rune('a' + i))
		if _, err := writer.Import(bg, geo.ChangeNote{Author: "t"}, geo.Layer{ID: "l", Title: "L", Kind: geo.KindPoint}, geo.Append, seqOf(pt("l", id, 34, 31, ""))); err != nil {
			t.Fatal(err)
		}
		ws, _ := writer.Snapshot(bg)
		sn, err := strict.Snapshot(bg)
		if err != nil || sn.Version() != ws.Version() {
			t.Fatalf("right after a write at version %d, the strict store's snapshot is at %v, %v", ws.Version(), sn, err)
		}
		if _, err := sn.Feature(bg, "l", id); err != nil {
			t.Errorf("the strict store does not see feature %s at once: %v", id, err)
		}
		start := time.Now()
		if !waitFor(time.Second, func() bool { s, err := reader.Snapshot(bg); return err == nil && s.Version() == ws.Version() }) {
			t.Fatalf("write %d at version %d: the other store has not seen it after a second", i, ws.Version())
		}
		rs, _ := reader.Snapshot(bg)
		if _, err := rs.Feature(bg, "l", id); err != nil {
			t.Errorf("the other store sees version %d without feature %s: %v", rs.Version(), id, err)
		}
		t.Logf("write %d seen by the other store after %v", i, time.Since(start))
	}
	// Layer metadata written by one is read by the other.
	if err := a.PutLayer(bg, geo.Layer{ID: "l", Title: "Renamed", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	if !waitFor(time.Second, func() bool { s, _ := b.Snapshot(bg); l, _ := s.Layer("l"); return l.Title == "Renamed" }) {
		t.Error("a layer renamed by one store is not renamed in the other after a second")
	}
}

// proxy forwards TCP connections to PostgreSQL's Unix socket, and can be
// cut and restored: a database that goes away and comes back.
type proxy struct {
	t      *testing.T
	socket string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func (p *proxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("unix", p.socket)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestLostDatabase: while the database cannot be reached, reads and writes
// fail with ErrUnavailable and Ready says so; when it comes back, the
// store recovers by itself, listener included.
func TestLostDatabase(t *testing.T) {
	_, u := openTest(t, Options{})
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	dir, port := q.Get("host"), q.Get("port")
	if dir == "" || !filepath.IsAbs(dir) {
		t.Skipf("the test cluster is not on a Unix socket: %s", u)
	}
	if port == "" {
		port = "5432"
	}
	p := &proxy{t: t, socket: filepath.Join(dir, ".s.PGSQL."+port), addr: "127.0.0.1:0"}
	p.start()
	defer p.cut()
	host, pport, _ := net.SplitHostPort(p.addr)
	q.Set("host", host)
	q.Set("port", pport)
	q.Set("sslmode", "disable")
	q.Set("connect_timeout", "2")
	pu.RawQuery = q.Encode()
	s, err := Open(bg, pu.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Import(bg, geo.ChangeNote{Author: "t"}, geo.Layer{ID: "l", Title: "L", Kind: geo.KindPoint}, geo.Append, seqOf(pt("l", "a", 34, 31, ""))); err != nil {
		t.Fatal(err)
	}
	if !waitFor(time.Second, s.Listening) {
		t.Fatal("not listening")
	}
	if err := s.Ready(bg); err != nil {
		t.Fatalf("Ready with the database up: %v", err)
	}

	p.cut()
	if !waitFor(2*time.Second, func() bool { return !s.Listening() }) {
		t.Error("the store still trusts its listener two seconds after the database went away")
	}
	if err := s.Ready(bg); !errors.Is(err, geo.ErrUnavailable) {
		t.Errorf("Ready with the database gone: %v, want ErrUnavailable", err)
	}
	if _, err := s.Snapshot(bg); !errors.Is(err, geo.ErrUnavailable) {
		t.Errorf("Snapshot with the database gone: %v, want ErrUnavailable", err)
	}
	if _, err := s.Commit(bg, geo.Commit{Note: geo.ChangeNote{Author: "t"}, Edits: []geo.Edit{{Op: geo.OpDelete, Layer: "l", ID: "a"}}}); !errors.Is(err, geo.ErrUnavailable) {
		t.Errorf("Commit with the database gone: %v, want ErrUnavailable", err)
	}

	p.start()
	if !waitFor(10*time.Second, func() bool { return s.Ready(bg) == nil }) {
		t.Fatal("Ready is not nil ten seconds after the database came back")
	}
	sn, err := s.Snapshot(bg)
	if err != nil {
		t.Fatalf("Snapshot after the database came back: %v", err)
	}
	if _, err := sn.Feature(bg, "l", "a"); err != nil {
		t.Errorf("after the database came back: %v", err)
	}
	if !waitFor(10*time.Second, s.Listening) {
		t.Error("the listener did not reconnect")
	}
}
