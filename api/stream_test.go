package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/api"
	"strata/geo"
)

// sseEvent is one server-sent event as a client reads it.
type sseEvent struct {
	id, event, data string
	comment         bool
}

// openStream connects to the change feed with a real HTTP client and
// returns the events as they arrive.
func openStream(t *testing.T, ctx context.Context, base, lastID string) (<-chan sseEvent, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/changes/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip") // it must come uncompressed anyway
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" || res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("stream: %d %v", res.StatusCode, res.Header)
	}
	ch := make(chan sseEvent, 100)
	go func() {
		defer close(ch)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ev.comment = true
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return ch, res
}

// nextChangeset waits for the next changeset event, skipping heartbeats
// and the retry line.
func nextChangeset(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.event == "changeset" {
				return ev
			}
		case <-timeout:
			t.Fatal("no changeset event within 10 s")
		}
	}
}

type feedData struct {
	ID          int64       `json:"id"`
	Collections []string    `json:"collections"`
	BBox        *[4]float64 `json:"bbox"`
	Version     int64       `json:"version"`
}

// TestChangeStream reads the change feed with a real client: a write over
// HTTP is announced at once, a write straight to the store (as another
// process would make) within a poll, heartbeats keep an idle stream
// alive, Last-Event-ID replays, and closing the server ends the stream.
func TestChangeStream(t *testing.T) {
	defer api.SetFeedTiming(50*time.Millisecond, 100*time.Millisecond)()
	for _, e := range writeStores(t, api.Config{StallTimeout: time.Second, WriteTimeout: 500 * time.Millisecond}) {
		t.Run(e.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch, _ := openStream(t, ctx, e.srv.URL, "")
			if r := e.send(t, "POST", "/collections/a/items", pointFeature("s1", 34.5, 31.5, ""), map[string]string{"token": "bob", "Content-Type": json1}); r.status != 201 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			ev := nextChangeset(t, ch)
			var d feedData
			if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
				t.Fatal(err)
			}
			if strconv.FormatInt(d.ID, 10) != ev.id || d.Version != d.ID || len(d.Collections) != 1 || d.Collections[0] != "a" || d.BBox == nil || d.BBox[0] != 34.5 {
				t.Errorf("event %+v: %+v", ev, d)
			}
			first := ev.id
			// Another process's write: seen by polling.
			f := &geo.Feature{ID: "s2", Layer: "b", Geometry: orbPoint(35, 32), PrecisionM: 1, Sources: []geo.Source{{Title: "T"}}, Valid: geo.Always}
			if _, err := e.store.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "import"}, Edits: []geo.Edit{{Op: geo.OpCreate, Layer: "b", ID: "s2", Feature: f}}}); err != nil {
				t.Fatal(err)
			}
			ev2 := nextChangeset(t, ch)
			if !strings.Contains(ev2.data, `"collections":["b"]`) || ev2.id == first {
				t.Errorf("second event %+v", ev2)
			}
			// Heartbeats, and the stream outlives WriteTimeout.
			deadline := time.After(2 * time.Second)
			beats := 0
		wait:
			for {
				select {
				case ev, ok := <-ch:
					if !ok {
						t.Fatal("the stream ended while idle")
					}
					if ev.comment {
						beats++
					}
				case <-deadline:
					break wait
				}
			}
			if beats < 3 {
				t.Errorf("%d heartbeats in 2 s", beats)
			}
			// Last-Event-ID replays what came after it, then goes on.
			replay, _ := openStream(t, ctx, e.srv.URL, "0")
			if ev := nextChangeset(t, replay); ev.id != first {
				t.Errorf("replay from 0 began with %s, want %s", ev.id, first)
			}
			if ev := nextChangeset(t, replay); ev.id != ev2.id {
				t.Errorf("replay went on with %s, want %s", ev.id, ev2.id)
			}
			after, _ := openStream(t, ctx, e.srv.URL, first)
			if ev := nextChangeset(t, after); ev.id != ev2.id {
				t.Errorf("replay after %s began with %s", first, ev.id)
			}
			if r := get(t, e.srv.URL+"/changes/stream?x=1"); r.status != 400 {
				t.Errorf("stream with a parameter: %d", r.status)
			}
		})
	}
}

// TestStreamEndsOnClose checks that Server.Close ends open streams.
func TestStreamEndsOnClose(t *testing.T) {
	defer api.SetFeedTiming(50*time.Millisecond, time.Hour)()
	e := writeStores(t, api.Config{})[0]
	s := api.New(api.Config{Store: e.store})
	srv := newHTTPServer(t, s.Handler())
	ch, _ := openStream(t, context.Background(), srv, "")
	time.Sleep(100 * time.Millisecond)
	s.Close()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the stream did not end when the server closed")
		}
	}
}

// newHTTPServer serves h on a random local port until the test ends.
func newHTTPServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func orbPoint(lon, lat float64) orb.Point { return orb.Point{lon, lat} }
