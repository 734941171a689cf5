package api

import (
	"bytes"
	"testing"
)

func TestPageCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newPageCache(16 << 10) // pages up to 1 KiB
	body := bytes.Repeat([]byte("x"), 900)
	for i := range 20 {
		c.add(&page{key: pageKey(int64(i), "l", "q"), features: body, returned: 1, matched: i})
		if i == 5 {
			c.get(pageKey(0, "l", "q")) // used: kept
		}
	}
	if n, used := c.stats(); used > c.max || n == 0 {
		t.Fatalf("%d pages in %d bytes, budget %d", n, used, c.max)
	}
	if c.get(pageKey(1, "l", "q")) != nil {
		t.Errorf("page 1, never used, outlived newer pages")
	}
	if c.get(pageKey(0, "l", "q")) == nil {
		t.Errorf("page 0, used after pages 1 to 5, went before them")
	}
	if p := c.get(pageKey(19, "l", "q")); p == nil || p.matched != 19 {
		t.Errorf("the newest page is gone: %+v", p)
	}
	c.add(&page{key: "big", features: bytes.Repeat([]byte("y"), 2<<10)})
	if c.get("big") != nil {
		t.Errorf("a page over a sixteenth of the budget was kept")
	}
	if newPageCache(0) != nil {
		t.Errorf("a cache of 0 bytes is not off")
	}
}
