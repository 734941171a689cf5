package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"strata/api"
)

// smallBuffers is a listener whose connections have small kernel send
// buffers, so that a client that stops reading blocks the server soon.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}

// inFlight returns the server's strata_http_requests_in_flight, this
// scrape included.
func inFlight(t *testing.T, base string) float64 {
	t.Helper()
	v, ok := metricValue(string(get(t, base+"/metrics").body), "strata_http_requests_in_flight")
	if !ok {
		t.Fatal("no strata_http_requests_in_flight")
	}
	return v
}

// TestStalledReaderIsDropped: a client that asks for a 10,000-feature
// page and never reads is dropped once a write has waited StallTimeout,
// and while it waits the only query place serves others.
func TestStalledReaderIsDropped(t *testing.T) {
	const n = 10000
	const stall = 3 * time.Second
	db := pointsDB(t, n)
	srv := httptest.NewUnstartedServer(api.New(api.Config{Store: db, MaxQueries: 1, QueueTimeout: 2 * time.Second, StallTimeout: stall}).Handler())
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	defer srv.Close()

	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(c, "GET /collections/pts/items?limit=%d HTTP/1.1\r\nHost: strata\r\n\r\n", n)
	start := time.Now()
	for inFlight(t, srv.URL) < 2 {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the page request never started")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Meanwhile, another request gets the query place.
	if r := get(t, srv.URL+"/collections/pts/items?limit=5"); r.status != http.StatusOK {
		t.Errorf("a request beside the stalled one: status %d: %.200s", r.status, r.body)
	}
	if inFlight(t, srv.URL) < 2 {
		t.Fatal("the stalled request ended before the other was served; the test proves nothing")
	}

	// The stalled request ends soon after its write deadline, not when
	// the client gives up.
	for inFlight(t, srv.URL) > 1 {
		if time.Since(start) > stall+20*time.Second {
			t.Fatalf("the server still writes to a client that has read nothing for %v", time.Since(start).Round(time.Second))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// And it closed the connection mid-page.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the connection is still open after %d bytes", len(got))
	}
	if bytes.HasSuffix(got, []byte("\r\n0\r\n\r\n")) {
		t.Errorf("the whole page arrived (%d bytes): nothing was cut short", len(got))
	}
}
