package tiles

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// joined waits until n callers share the draw of key.
func joined(t *testing.T, g *flights, key string, n int32) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		g.mu.Lock()
		f := g.m[key]
		ok := f != nil && f.n == n
		g.mu.Unlock()
		if ok {
			return
		}
	}
	t.Fatalf("%d callers never joined the draw of %q", n, key)
}

func TestFlightsShareOneDraw(t *testing.T) {
	const callers = 5
	var g flights
	release := make(chan struct{})
	draws := 0
	draw := func() (*entry, error) {
		draws++
		<-release
		return &entry{data: append(getBuf(), "tile"...), pooled: true}, nil
	}
	got := make([]*entry, callers)
	shared := make([]bool, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			got[i], err, shared[i] = g.do("k", draw)
			if err != nil {
				t.Error(err)
			}
		}()
	}
	joined(t, &g, "k", callers)
	close(release)
	wg.Wait()
	if draws != 1 {
		t.Fatalf("drew %d times, want once", draws)
	}
	for i := range callers {
		if got[i] != got[0] || !shared[i] || string(got[i].data) != "tile" {
			t.Fatalf("caller %d: entry %p shared %v data %q; want %p, true, \"tile\"", i, got[i], shared[i], got[i].data, got[0])
		}
	}
	// Each caller releases once; the count reaches zero with the last.
	for i := range callers {
		if n := got[0].refs.Load(); n != int32(callers-i) {
			t.Fatalf("before release %d: %d callers hold the tile, want %d", i, n, callers-i)
		}
		got[i].release()
	}
	if n := got[0].refs.Load(); n != 0 {
		t.Fatalf("after every release: %d callers hold the tile", n)
	}
	if len(g.m) != 0 {
		t.Fatalf("%d draws left in the group", len(g.m))
	}
	// A later call draws again.
	e, _, sh := g.do("k", func() (*entry, error) { draws++; return &entry{}, nil })
	if draws != 2 || sh || e.refs.Load() != 1 {
		t.Fatalf("second call: draws %d shared %v refs %d; want 2, false, 1", draws, sh, e.refs.Load())
	}
}

func TestFlightsPanicReachesOthersAsError(t *testing.T) {
	var g flights
	release := make(chan struct{})
	leader := make(chan any, 1)
	go func() {
		defer func() { leader <- recover() }()
		g.do("k", func() (*entry, error) {
			<-release
			panic("drawing failed")
		})
	}()
	joined(t, &g, "k", 1)
	type result struct {
		e   *entry
		err error
	}
	waiter := make(chan result, 1)
	go func() {
		e, err, _ := g.do("k", func() (*entry, error) { t.Error("a second draw ran"); return nil, nil })
		waiter <- result{e, err}
	}()
	joined(t, &g, "k", 2)
	close(release)
	if p := <-leader; p != "drawing failed" {
		t.Fatalf("the leader recovered %v, want its panic", p)
	}
	if r := <-waiter; r.e != nil || !errors.Is(r.err, errDrawPanicked) {
		t.Fatalf("the waiter got %v, %v; want no entry and errDrawPanicked", r.e, r.err)
	}
}

func TestFlightsErrorGivesNoEntry(t *testing.T) {
	var g flights
	boom := errors.New("boom")
	e, err, _ := g.do("k", func() (*entry, error) { return &entry{}, boom })
	if e != nil || !errors.Is(err, boom) {
		t.Fatalf("got %v, %v; want no entry and the draw's error", e, err)
	}
}
