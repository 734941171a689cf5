package sqlite

import (
	"runtime"
	"sync"
	"unsafe"
)

// offHeap hands out pointer-free arrays from memory mapped outside the Go
// heap (falling back to the heap where mapping fails). An index lives
// there so that it does not count towards the garbage collector's heap
// goal: with the index on the heap, the heap of a server holding a
// 1,000,000-feature index would grow to twice the index between
// collections.
//
// Memory is unmapped by free, which must only run once nothing uses the
// arrays: see (*index).release.
type offHeap struct {
	mu   sync.Mutex
	maps [][]byte
}

func offHeapSlice[T float64 | int64 | int32 | uint32 | uint64 | uint8 | node](h *offHeap, n int) []T {
	if n == 0 {
		return nil
	}
	var zero T
	b := mapAnon(n * int(unsafe.Sizeof(zero)))
	if b == nil {
		return make([]T, n)
	}
	h.mu.Lock()
	h.maps = append(h.maps, b)
	h.mu.Unlock()
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// release unmaps the memory of s, which must be the only use of it, and
// forgets it.
func releaseSlice[T float64 | int64 | int32 | uint32 | uint64 | uint8 | node](h *offHeap, s []T) {
	if len(s) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.maps {
		if unsafe.Pointer(unsafe.SliceData(b)) == p {
			unmapAnon(b)
			h.maps = append(h.maps[:i], h.maps[i+1:]...)
			return
		}
	}
}

// free unmaps everything h handed out.
func (h *offHeap) free() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.maps {
		unmapAnon(b)
	}
	h.maps = nil
}

// freeWith frees h once owner is unreachable.
func (h *offHeap) freeWith(owner *index) {
	runtime.AddCleanup(owner, func(h *offHeap) { h.free() }, h)
}
