package tiles

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"

	"strata/geo"
)

// group makes concurrent draws of one tile share a single draw.
type group = singleflight.Group

// Tile returns tile t of the layers of snap for the time interval when,
// like Render, with its entity tag: a quoted strong ETag derived from the
// bytes, so equal tiles have equal tags. It serves the tile from the cache
// when the snapshot's data version is the one the tile was drawn at, and
// otherwise draws it once however many callers ask for it at the same
// time (after Options.Admit). The returned bytes are shared: callers must
// not modify them. Errors are those of Render and of Options.Admit.
func (r *Renderer) Tile(ctx context.Context, snap geo.Snapshot, t maptile.Tile, layers []string, when geo.Interval) (data []byte, etag string, err error) {
	if err := checkTile(t); err != nil {
		return nil, "", err
	}
	ids := normLayers(layers)
	version := snap.Version()
	key := cacheKey(version, t, ids, when)
	if e := r.cache.get(key, version); e != nil {
		return e.data, e.etag, nil
	}
	for try := 1; ; try++ {
		v, err, shared := r.calls.Do(key, func() (any, error) {
			data, err := r.renderAdmitted(ctx, snap, t, ids, when)
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(data)
			e := &entry{key: key, data: data, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
			r.cache.add(e, version)
			return e, nil
		})
		if err != nil {
			// The caller that drew the tile may have gone away; draw it
			// again for this one if it has not (a few times at most).
			if shared && try < 3 && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				continue
			}
			return nil, "", err
		}
		e := v.(*entry)
		return e.data, e.etag, nil
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

// cacheKey identifies a tile drawn at a data version.
func cacheKey(version int64, t maptile.Tile, ids []string, when geo.Interval) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(version, 10))
	for _, n := range []uint64{uint64(t.Z), uint64(t.X), uint64(t.Y)} {
		b.WriteByte('/')
		b.WriteString(strconv.FormatUint(n, 10))
	}
	b.WriteByte('|')
	b.WriteString(strconv.FormatInt(when.Start, 10))
	b.WriteByte('/')
	b.WriteString(strconv.FormatInt(when.End, 10))
	for _, id := range ids {
		b.WriteByte('|')
		b.WriteString(id)
	}
	return b.String()
}

// entry is a cached tile.
type entry struct {
	key  string
	data []byte
	etag string
}

// entryOverhead estimates the memory an entry holds beyond its key and
// data: the entry, its list element and its map slot.
const entryOverhead = 200

func (e *entry) size() int64 { return int64(len(e.key)+len(e.data)+len(e.etag)) + entryOverhead }

// cache is a least-recently-used set of tiles bounded in bytes. It holds
// the tiles of one data version: a tile of another version empties it.
// A nil *cache holds nothing.
type cache struct {
	mu      sync.Mutex
	max     int64
	size    int64
	version int64
	lru     *list.List // of *entry, most recently used first
	index   map[string]*list.Element
}

func newCache(max int64) *cache {
	return &cache{max: max, lru: list.New(), index: make(map[string]*list.Element)}
}

// setVersion empties the cache when version is not its version. The
// caller holds c.mu.
func (c *cache) setVersion(version int64) {
	if version == c.version {
		return
	}
	c.version = version
	c.lru.Init()
	clear(c.index)
	c.size = 0
}

// get returns the tile of key drawn at version, or nil.
func (c *cache) get(key string, version int64) *entry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setVersion(version)
	el, ok := c.index[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*entry)
}

// add stores e, drawn at version, unless the cache has since moved to
// another version or e alone would fill more than a quarter of it.
func (c *cache) add(e *entry, version int64) {
	if c == nil || e.size() > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return
	}
	if el, ok := c.index[e.key]; ok {
		c.size -= el.Value.(*entry).size()
		el.Value = e
		c.lru.MoveToFront(el)
	} else {
		c.index[e.key] = c.lru.PushFront(e)
	}
	c.size += e.size()
	for c.size > c.max {
		el := c.lru.Back()
		old := el.Value.(*entry)
		c.lru.Remove(el)
		delete(c.index, old.key)
		c.size -= old.size()
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
