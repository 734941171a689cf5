package sqlite

import (
	"sync"
	"sync/atomic"
)

// encCache keeps the GeoJSON of feature versions by seq, for items pages
// (geo.Filter.Encoded). A row never changes once written, so an encoding
// is valid for ever and the cache needs no invalidation: it only bounds
// its memory, dropping entries at random when a shard is full (Go's map
// iteration order is random), which costs nothing to track and keeps
// the entries that are asked for often in the cache on average.
type encCache struct {
	shards [encShards]encShard
	limit  int64 // bytes a shard may hold; 0 turns the cache off
	hits   atomic.Int64
	misses atomic.Int64
}

const encShards = 32

type encShard struct {
	mu    sync.RWMutex
	m     map[int64]encoded
	bytes int64
}

// encoded is a feature version's id and GeoJSON.
type encoded struct {
	id   string
	json []byte
}

// size is the bytes e costs the cache.
func (e encoded) size() int64 { return int64(len(e.id)+len(e.json)) + entryOverhead }

// entryOverhead is a rough count of the bytes a map entry costs beyond
// its encoding: key, slice header and the map's own share.
const entryOverhead = 48

// setLimit sets the cache's total size in bytes (0 or less: off).
func (c *encCache) setLimit(total int64) {
	c.limit = max(total, 0) / encShards
}

// get returns the id and encoding of seq; a nil encoding when there is
// none.
func (c *encCache) get(seq int64) encoded {
	if c.limit == 0 {
		return encoded{}
	}
	sh := &c.shards[uint64(seq)%encShards]
	sh.mu.RLock()
	e := sh.m[seq]
	sh.mu.RUnlock()
	return e
}

// count adds a query's hits and misses to the totals: once a query, not
// once a feature, as every core would contend for the counters.
func (c *encCache) count(hits, misses int) {
	c.hits.Add(int64(hits))
	c.misses.Add(int64(misses))
}

// put keeps e, whose encoding the caller must never change again, as the
// id and encoding of seq.
func (c *encCache) put(seq int64, e encoded) {
	size := e.size()
	if c.limit == 0 || size > c.limit/16 {
		return
	}
	sh := &c.shards[uint64(seq)%encShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.m == nil {
		sh.m = map[int64]encoded{}
	}
	if old, ok := sh.m[seq]; ok {
		sh.bytes -= old.size()
	}
	for k, v := range sh.m {
		if sh.bytes+size <= c.limit {
			break
		}
		delete(sh.m, k)
		sh.bytes -= v.size()
	}
	sh.m[seq] = e
	sh.bytes += size
}
