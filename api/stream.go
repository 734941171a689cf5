package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"strata/geo"
)

// The change feed, GET /changes/stream: server-sent events announcing
// each changeset as it is committed, by this server or by another
// process writing the same database (strata import).

// Change feed timing, read by New; variables so that tests can shorten
// them.
var (
	// pollEvery is how often the hub reads the store's data version.
	pollEvery = 200 * time.Millisecond
	// heartbeatEvery is how often an idle stream sends a comment line,
	// so that proxies and clients see it alive.
	heartbeatEvery = 15 * time.Second
)

// subscriberBuffer is how many events a stream may fall behind before
// the hub drops it (its client reconnects with Last-Event-ID).
const subscriberBuffer = 256

// streamPath is the change feed's path, exempt from the bound on a whole
// answer's time (see writeDeadlines).
const streamPath = "/changes/stream"

// feedEvent is one changeset as the feed announces it.
type feedEvent struct {
	id   int64
	data []byte
}

// newFeedEvent encodes cs as the feed's data line.
func newFeedEvent(cs geo.Changeset) feedEvent {
	d := struct {
		ID          int64       `json:"id"`
		Collections []string    `json:"collections"`
		BBox        *[4]float64 `json:"bbox"`
		Version     int64       `json:"version"`
	}{ID: cs.ID, Collections: cs.Layers, Version: cs.ID}
	if d.Collections == nil {
		d.Collections = []string{}
	}
	if !cs.Empty {
		d.BBox = &[4]float64{cs.BBox.Min[0], cs.BBox.Min[1], cs.BBox.Max[0], cs.BBox.Max[1]}
	}
	b, _ := json.Marshal(d)
	return feedEvent{id: cs.ID, data: b}
}

// subscriber is one open stream.
type subscriber struct {
	// ch receives the events; the hub closes it when it drops the
	// subscriber for falling behind.
	ch chan feedEvent
}

// hub is the one goroutine per Server that notices new changesets and
// hands them to every open stream. It runs while streams are open: it
// reads the store's version every pollEvery, or at once when woken after
// a write of this server, lists the changesets after the last it
// announced, and sends each to every subscriber without waiting for any.
type hub struct {
	s       *Server
	wake    chan struct{}
	done    chan struct{} // closed by close
	once    sync.Once
	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	running bool
	// last is the data version up to which changesets were announced.
	last int64
	// pollEvery and heartbeatEvery are the package's values when the
	// Server was made.
	pollEvery, heartbeatEvery time.Duration
}

func newHub(s *Server) *hub {
	return &hub{s: s, wake: make(chan struct{}, 1), done: make(chan struct{}), subs: map[*subscriber]struct{}{},
		pollEvery: pollEvery, heartbeatEvery: heartbeatEvery}
}

// notify wakes the hub after a write, without waiting.
func (h *hub) notify() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// close stops the hub and ends every stream.
func (h *hub) close() { h.once.Do(func() { close(h.done) }) }

// subscribe adds a stream and returns the data version up to which
// changesets were announced before it: it receives every later one.
func (h *hub) subscribe(ctx context.Context) (*subscriber, int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.running {
		snap, err := h.s.store.Snapshot(ctx)
		if err != nil {
			return nil, 0, err
		}
		h.last = snap.Version()
		h.running = true
		go h.run()
	}
	sub := &subscriber{ch: make(chan feedEvent, subscriberBuffer)}
	h.subs[sub] = struct{}{}
	return sub, h.last, nil
}

// unsubscribe removes a stream.
func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[sub]; ok {
		delete(h.subs, sub)
		close(sub.ch)
	}
}

// run polls until the last stream ends or the hub is closed.
func (h *hub) run() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-h.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	tick := time.NewTicker(h.pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-h.done:
			h.stop()
			return
		case <-tick.C:
		case <-h.wake:
		}
		h.mu.Lock()
		idle := len(h.subs) == 0
		if idle {
			h.running = false
		}
		h.mu.Unlock()
		if idle {
			return
		}
		if err := h.poll(ctx); err != nil && ctx.Err() == nil {
			h.s.log.Error("change feed: reading new changesets", "err", err)
		}
	}
}

// stop ends every stream when the hub is closed.
func (h *hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		delete(h.subs, sub)
		close(sub.ch)
	}
	h.running = false
}

// poll announces the changesets recorded since the last poll.
func (h *hub) poll(ctx context.Context) error {
	snap, err := h.s.store.Snapshot(ctx)
	if err != nil {
		return err
	}
	v := snap.Version()
	h.mu.Lock()
	last := h.last
	h.mu.Unlock()
	if v <= last {
		return nil
	}
	list, err := snap.Changes(ctx, geo.ChangeFilter{After: last})
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(list) - 1; i >= 0; i-- { // oldest first
		ev := newFeedEvent(list[i])
		for sub := range h.subs {
			select {
			case sub.ch <- ev:
			default:
				// Too slow: dropped, so that it holds up nobody. Its
				// client reconnects with Last-Event-ID.
				delete(h.subs, sub)
				close(sub.ch)
			}
		}
	}
	h.last = v
	return nil
}

// handleStream serves GET /changes/stream (text/event-stream): an event
// "changeset" per changeset committed, its id the changeset's; with
// Last-Event-ID, first every changeset after that one; a comment line
// every heartbeatEvery. It is sent uncompressed and flushed event by
// event.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := checkParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	var from int64 = -1
	if v := strings.TrimSpace(r.Header.Get("Last-Event-ID")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.writeError(w, r, geo.Invalidf("Last-Event-ID", "Last-Event-ID %q is not a changeset id", short(v)))
			return
		}
		from = n
	}
	sub, announced, err := s.hub.subscribe(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer s.hub.unsubscribe(sub)
	var replay []geo.Changeset
	if from >= 0 && from < announced {
		snap, err := s.store.Snapshot(ctx)
		if err == nil {
			replay, err = snap.Changes(ctx, geo.ChangeFilter{After: from})
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")       // nginx: pass events on at once
	h.Set(gzhttp.HeaderNoCompression, "1") // the compressor would hold them back
	rc := http.NewResponseController(w)
	send := func(b []byte) bool {
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send([]byte("retry: 2000\n\n")) {
		return
	}
	sent := from
	event := func(ev feedEvent) bool {
		if ev.id <= sent {
			return true
		}
		sent = ev.id
		b := make([]byte, 0, len(ev.data)+64)
		b = append(b, "id: "...)
		b = strconv.AppendInt(b, ev.id, 10)
		b = append(b, "\nevent: changeset\ndata: "...)
		b = append(b, ev.data...)
		b = append(b, "\n\n"...)
		return send(b)
	}
	for i := len(replay) - 1; i >= 0; i-- {
		if replay[i].ID > announced {
			continue // the hub sends it
		}
		if !event(newFeedEvent(replay[i])) {
			return
		}
	}
	beat := time.NewTicker(s.hub.heartbeatEvery)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.hub.done:
			return
		case ev, ok := <-sub.ch:
			if !ok || !event(ev) {
				return
			}
		case <-beat.C:
			if !send([]byte(": heartbeat\n\n")) {
				return
			}
		}
	}
}
