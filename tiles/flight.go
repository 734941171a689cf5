package tiles

import (
	"errors"
	"sync"
)

// flights makes the callers that ask for one tile at the same time share
// a single draw, like golang.org/x/sync/singleflight, and counts them: a
// tile drawn into a pooled buffer goes back to the pool when the last of
// them is done with it (entry.release).
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// flight is one draw under way.
type flight struct {
	done chan struct{}
	e    *entry
	err  error
	n    int32 // the callers sharing it, guarded by flights.mu
}

// errDrawPanicked is what the callers sharing a draw that panicked get.
var errDrawPanicked = errors.New("tiles: drawing the tile failed")

// do returns the entry draw makes for key, calling draw once for all the
// callers that ask for key while it runs; shared says whether others did.
// Each caller given an entry must call its release once done with it.
// A panic in draw goes on in the caller that called it; the others get
// errDrawPanicked.
func (g *flights) do(key string, draw func() (*entry, error)) (e *entry, err error, shared bool) {
	g.mu.Lock()
	if f, ok := g.m[key]; ok {
		f.n++
		g.mu.Unlock()
		<-f.done
		return f.e, f.err, true
	}
	if g.m == nil {
		g.m = make(map[string]*flight)
	}
	f := &flight{done: make(chan struct{}), n: 1, err: errDrawPanicked}
	g.m[key] = f
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.m, key)
		n := f.n
		g.mu.Unlock()
		if f.e != nil {
			f.e.refs.Store(n)
		}
		close(f.done)
		shared = n > 1
	}()
	e, err = draw()
	if err != nil {
		e = nil
	}
	f.e, f.err = e, err
	return e, err, false
}

// bufPool holds tile buffers for reuse: a tile that is not cached is
// drawn into one and written out from it, without a copy.
var bufPool sync.Pool // of *[]byte

// getBuf returns an empty buffer from the pool, or nil.
func getBuf() []byte {
	if p, ok := bufPool.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return nil
}

// putBuf gives b back to the pool unless it has grown large.
func putBuf(b []byte) {
	if cap(b) == 0 || cap(b) > maxPooledTile {
		return
	}
	bufPool.Put(&b)
}

// release says one caller given e is done with its bytes: when the last
// is, a pooled buffer goes back to the pool. A cached entry is not
// pooled.
func (e *entry) release() {
	if e.pooled && e.refs.Add(-1) == 0 {
		putBuf(e.data)
	}
}
