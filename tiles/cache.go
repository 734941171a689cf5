package tiles

import (
	"cmp"
	"container/list"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"strata/geo"
)

// etagOf returns the strong entity tag of a tile's bytes: its 64-bit
// xxHash in hexadecimal, quoted. Equal bytes have equal tags, on every
// server; the hash is not a defence against forgery, which an entity tag
// does not need.
func etagOf(data []byte) string {
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], xxhash.Sum64(data))
	var b [18]byte
	b[0], b[17] = '"', '"'
	hex.Encode(b[1:17], sum[:])
	return string(b[:])
}

// Drawn is a tile as Renderer.Tile hands it over.
type Drawn struct {
	// Data is the MVT bytes, not compressed (empty for a tile without
	// features). They are shared and may be reused once the callback
	// given them returns: callers must neither modify nor keep them.
	Data []byte
	// ETag is the tile's quoted strong entity tag, derived from the
	// bytes: equal tiles have equal tags, on every server.
	ETag string
	// Hit says whether the tile came from the cache.
	Hit bool
}

// Tile calls use with tile t of the layers of snap for the time interval
// when, like Render, and returns use's error. It serves the tile from the
// cache when no write since the tile was drawn could have changed it (see
// cache), and otherwise draws it once however many callers ask for it at
// the same time (after Options.Admit). A tile that is not cached is drawn
// into a reused buffer and handed over from it: the bytes are valid only
// until use returns. Errors are those of Render and of Options.Admit.
func (r *Renderer) Tile(ctx context.Context, snap geo.Snapshot, t maptile.Tile, layers []string, when geo.Interval, use func(Drawn) error) error {
	if err := checkTile(t); err != nil {
		return err
	}
	ids := normLayers(layers)
	version := snap.Version()
	// Draws are shared by version and key; with PastOnly, the cache's key
	// holds the version too.
	flightKey, key := cacheKey(version, t, ids, when)
	if r.opt.PastOnly {
		key = flightKey
	}
	cached := r.cache != nil
	if cached && !r.opt.PastOnly {
		// Without the writes up to this version the cache cannot tell
		// which tiles they changed: draw, and keep nothing.
		cached = r.cache.learn(ctx, snap) == nil
	}
	if cached {
		if e := r.cache.get(key, version); e != nil {
			return use(Drawn{Data: e.data, ETag: e.etag, Hit: true})
		}
	}
	for try := 1; ; try++ {
		e, err, shared := r.calls.do(flightKey, func() (*entry, error) {
			data, err := r.renderAdmitted(ctx, snap, t, ids, when)
			if err != nil {
				return nil, err
			}
			e := &entry{key: key, data: data, etag: etagOf(data), layers: ids, version: version, pooled: true}
			if cached {
				// The cache keeps bytes of their own, exactly sized.
				e.data, e.pooled = slices.Clone(data), false
				e.layers = slices.Clone(ids) // not the caller's
				putBuf(data)
				e.box = newEncoder(t, r.opt).queryBox()
				r.cache.add(e)
			}
			return e, nil
		})
		if err != nil {
			// The caller that drew the tile may have gone away; draw it
			// again for this one if it has not (a few times at most).
			if shared && try < 3 && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				continue
			}
			return err
		}
		defer e.release()
		return use(Drawn{Data: e.data, ETag: e.etag})
	}
}

// renderAdmitted draws a tile once Options.Admit lets it, and releases
// what Admit took even if drawing panics.
func (r *Renderer) renderAdmitted(ctx context.Context, snap geo.Snapshot, t maptile.Tile, ids []string, when geo.Interval) ([]byte, error) {
	if r.opt.Admit != nil {
		release, err := r.opt.Admit(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	return r.render(ctx, snap, t, ids, when)
}

// cacheKey identifies a tile: its address, time interval and layers
// (key), and the same at data version v (versioned), in one string.
func cacheKey(v int64, t maptile.Tile, ids []string, when geo.Interval) (versioned, key string) {
	var buf [96]byte
	b := strconv.AppendInt(buf[:0], v, 10)
	b = append(b, '@')
	at := len(b)
	for _, n := range []uint64{uint64(t.Z), uint64(t.X), uint64(t.Y)} {
		b = append(b, '/')
		b = strconv.AppendUint(b, n, 10)
	}
	b = append(b, '|')
	b = strconv.AppendInt(b, when.Start, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, when.End, 10)
	for _, id := range ids {
		b = append(b, '|')
		b = append(b, id...)
	}
	versioned = string(b)
	return versioned, versioned[at:]
}

// entry is a cached tile.
type entry struct {
	key  string
	data []byte
	etag string
	// box is the buffered tile in longitude and latitude: a write outside
	// it cannot change the tile. layers are the tile's layers.
	box    geo.BBox
	layers []string
	// version is the latest data version the tile is known to be right
	// at; the cache moves it forward as it checks the tile again.
	version int64
	// pooled says data is a buffer of bufPool, to go back to it when the
	// refs callers given the entry are done with it (release).
	pooled bool
	refs   atomic.Int32
}

// entryOverhead estimates the memory an entry holds beyond its key and
// data: the entry, its list element and its map slot.
const entryOverhead = 200

func (e *entry) size() int64 {
	n := int64(len(e.key)+len(e.data)+len(e.etag)) + entryOverhead
	for _, l := range e.layers {
		n += int64(len(l)) + 16
	}
	return n
}

// change is what one data version changed, as far as tiles go.
type change struct {
	version int64
	// all is set for a version that was not a changeset (layer metadata,
	// a restore): it may have changed any tile.
	all    bool
	layers []string
	box    orb.Bound
	empty  bool // no geometry touched
}

// touches reports whether c may have changed tile e.
func (c *change) touches(e *entry) bool {
	if c.all {
		return true
	}
	if c.empty {
		return false
	}
	for _, l := range c.layers {
		if slices.Contains(e.layers, l) {
			return e.box.Intersects(c.box)
		}
	}
	return false
}

// maxLog is how many data versions of changes the cache remembers: a tile
// not checked for longer is drawn again.
const maxLog = 8192

// cache is a least-recently-used set of tiles bounded in bytes, kept
// across data versions. It learns what each new version changed (the
// layers and bounding box of its changeset, from Snapshot.Changes): a
// cached tile stays valid, ETag and all, until a version changes one of
// its layers within its buffered area. A version that was not a changeset
// invalidates every tile. With Options.PastOnly, keys hold the version and
// nothing is learned: a past version never changes. A nil *cache holds
// nothing.
type cache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	lru   *list.List // of *entry, most recently used first
	index map[string]*list.Element
	// log holds the changes of the versions in (floor, known], in order.
	log          []change
	floor, known int64
	// learning serialises reading new changes.
	learning sync.Mutex
}

func newCache(max int64) *cache {
	return &cache{max: max, lru: list.New(), index: make(map[string]*list.Element)}
}

// learn reads the changes of the versions after the known ones up to
// snap's, if any.
func (c *cache) learn(ctx context.Context, snap geo.Snapshot) error {
	v := snap.Version()
	c.mu.Lock()
	known := c.known
	c.mu.Unlock()
	if v <= known {
		return nil
	}
	c.learning.Lock()
	defer c.learning.Unlock()
	c.mu.Lock()
	known = c.known
	if v <= known {
		c.mu.Unlock()
		return nil
	}
	if known == 0 || v-known > maxLog {
		// The first version seen, or too many at once to check: start
		// afresh from v.
		c.reset(v)
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	list, err := snap.Changes(ctx, geo.ChangeFilter{After: known})
	if err != nil {
		return err
	}
	slices.SortFunc(list, func(a, b geo.Changeset) int { return cmp.Compare(a.ID, b.ID) })
	var add []change
	next := known + 1
	for _, cs := range list {
		if cs.ID > v {
			break
		}
		if cs.ID != next {
			add = append(add, change{version: next, all: true})
		}
		add = append(add, change{version: cs.ID, layers: cs.Layers, empty: cs.Empty, box: cs.BBox})
		next = cs.ID + 1
	}
	if next <= v {
		add = append(add, change{version: next, all: true})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, add...)
	c.known = v
	if n := len(c.log) - maxLog; n > 0 {
		c.floor = c.log[n-1].version
		c.log = slices.Delete(c.log, 0, n)
	}
	return nil
}

// reset empties the cache and its log, at version v. The caller holds
// c.mu.
func (c *cache) reset(v int64) {
	c.lru.Init()
	clear(c.index)
	c.size = 0
	c.log = c.log[:0]
	c.floor, c.known = v, v
}

// valid reports whether entry e, right at e.version, is right at version
// v too: no change between the two touches it. The caller holds c.mu.
func (c *cache) valid(e *entry, v int64) bool {
	lo, hi := min(e.version, v), max(e.version, v)
	if lo == hi {
		return true
	}
	if lo < c.floor || hi > c.known {
		return false
	}
	i, _ := slices.BinarySearchFunc(c.log, lo+1, func(ch change, v int64) int { return cmp.Compare(ch.version, v) })
	for ; i < len(c.log) && c.log[i].version <= hi; i++ {
		if c.log[i].touches(e) {
			return false
		}
	}
	return true
}

// get returns the tile of key if it is right at version v, or nil; a tile
// that is not is dropped.
func (c *cache) get(key string, v int64) *entry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.index[key]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if !c.valid(e, v) {
		if e.version < v {
			c.remove(el)
		}
		return nil
	}
	if v > e.version {
		e.version = v
	}
	c.lru.MoveToFront(el)
	return e
}

// remove drops the tile of el. The caller holds c.mu.
func (c *cache) remove(el *list.Element) {
	e := el.Value.(*entry)
	c.lru.Remove(el)
	delete(c.index, e.key)
	c.size -= e.size()
}

// add stores e, unless it is older than what the cache can check, older
// than the tile of its key already kept, or would fill more than a
// quarter of the cache alone.
func (c *cache) add(e *entry) {
	if c == nil || e.size() > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.version < c.floor {
		return
	}
	if el, ok := c.index[e.key]; ok {
		if el.Value.(*entry).version > e.version {
			return
		}
		c.remove(el)
	}
	c.index[e.key] = c.lru.PushFront(e)
	c.size += e.size()
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// CacheStats describes the tile cache.
type CacheStats struct {
	// Tiles and Bytes are the number of tiles cached and the memory they
	// are counted as holding; MaxBytes is Options.CacheBytes.
	Tiles    int
	Bytes    int64
	MaxBytes int64
}

// CacheStats reports how full the tile cache is.
func (r *Renderer) CacheStats() CacheStats {
	c := r.cache
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Tiles: len(c.index), Bytes: c.size, MaxBytes: c.max}
}
