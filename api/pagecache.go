package api

import (
	"container/list"
	"strconv"
	"sync"
)

// pageCache keeps the features of items pages already computed, by data
// version and query, up to a budget of bytes, least recently used out
// first. A data version never changes, so neither does a page of it: an
// entry is never stale, and a write (a new version) makes new keys. The
// features are kept as the GeoJSON the page wrote; the envelope (counts,
// timeStamp, links) is written anew for each answer.
type pageCache struct {
	mu      sync.Mutex
	max     int64 // budget in bytes
	maxPage int   // the largest page kept
	used    int64
	lru     list.List // of *page, most recent first
	byKey   map[string]*list.Element
}

// page is one cached items page.
type page struct {
	key               string
	features          []byte // the members of the "features" array
	returned, matched int
}

// size is what a page counts against the budget.
func (p *page) size() int64 { return int64(len(p.features) + len(p.key) + 64) }

// newPageCache returns a cache of max bytes, or nil for max <= 0 (no
// cache). A page larger than a sixteenth of the budget is not kept.
func newPageCache(max int64) *pageCache {
	if max <= 0 {
		return nil
	}
	return &pageCache{max: max, maxPage: int(max / 16), byKey: map[string]*list.Element{}}
}

// pageKey identifies the page of a layer's items query at a data version.
func pageKey(version int64, layer, query string) string {
	return strconv.FormatInt(version, 10) + "\x00" + layer + "\x00" + query
}

// get returns the page of key, or nil.
func (c *pageCache) get(key string) *page {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(e)
	return e.Value.(*page)
}

// add keeps p, unless it is too large, evicting the least recently used
// pages over the budget. p.features must not be modified afterwards.
func (c *pageCache) add(p *page) {
	if len(p.features) > c.maxPage {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[p.key]; ok {
		return
	}
	c.byKey[p.key] = c.lru.PushFront(p)
	c.used += p.size()
	for c.used > c.max {
		e := c.lru.Back()
		old := e.Value.(*page)
		c.lru.Remove(e)
		delete(c.byKey, old.key)
		c.used -= old.size()
	}
}

// stats returns the number of pages kept and their bytes.
func (c *pageCache) stats() (pages int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey), c.used
}
