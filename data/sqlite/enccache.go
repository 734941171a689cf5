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
	m     map[int64][]byte
	bytes int64
}

// entryOverhead is a rough count of the bytes a map entry costs beyond
// its encoding: key, slice header and the map's own share.
const entryOverhead = 48

// setLimit sets the cache's total size in bytes (0 or less: off).
func (c *encCache) setLimit(total int64) {
	c.limit = max(total, 0) / encShards
}

// get returns the encoding of seq, or nil.
func (c *encCache) get(seq int64) []byte {
	if c.limit == 0 {
		return nil
	}
	sh := &c.shards[uint64(seq)%encShards]
	sh.mu.RLock()
	b := sh.m[seq]
	sh.mu.RUnlock()
	return b
}

// count adds a query's hits and misses to the totals: once a query, not
// once a feature, as every core would contend for the counters.
func (c *encCache) count(hits, misses int) {
	c.hits.Add(int64(hits))
	c.misses.Add(int64(misses))
}

// put keeps b, which the caller must never change again, as the encoding
// of seq.
func (c *encCache) put(seq int64, b []byte) {
	size := int64(len(b)) + entryOverhead
	if c.limit == 0 || size > c.limit/16 {
		return
	}
	sh := &c.shards[uint64(seq)%encShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.m == nil {
		sh.m = map[int64][]byte{}
	}
	if old, ok := sh.m[seq]; ok {
		sh.bytes -= int64(len(old)) + entryOverhead
	}
	for k, v := range sh.m {
		if sh.bytes+size <= c.limit {
			break
		}
		delete(sh.m, k)
		sh.bytes -= int64(len(v)) + entryOverhead
	}
	sh.m[seq] = b
	sh.bytes += size
}
