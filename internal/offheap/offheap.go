// Package offheap hands out arrays of pointer-free values from memory
// mapped outside the Go heap, falling back to the heap where mapping
// fails.
//
// Large long-lived indexes live there so that they do not count towards
// the garbage collector's heap goal: with a 1,000,000-feature index on the
// heap, the heap of a server would grow to twice the index between
// collections. An Arena frees its memory all at once, explicitly with
// Free or when an owner becomes unreachable (FreeWith); nothing may use
// the arrays after that.
package offheap

import (
	"runtime"
	"sync"
	"unsafe"
)

// Arena tracks the mappings it handed out. The zero value is ready to
// use; an Arena is safe for concurrent use.
type Arena struct {
	mu   sync.Mutex
	maps [][]byte
}

// Make returns a zeroed slice of n values of T from a, or nil for n = 0.
// T must hold no pointers: the garbage collector does not scan the
// memory.
func Make[T any](a *Arena, n int) []T {
	if n <= 0 {
		return nil
	}
	var zero T
	b := mapAnon(n * int(unsafe.Sizeof(zero)))
	if b == nil {
		return make([]T, n)
	}
	a.mu.Lock()
	a.maps = append(a.maps, b)
	a.mu.Unlock()
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// Release gives back the memory of s, which Make returned from a and
// nothing else uses any more. Slices Make took from the heap are left to
// the garbage collector.
func Release[T any](a *Arena, s []T) {
	if len(s) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, b := range a.maps {
		if unsafe.Pointer(unsafe.SliceData(b)) == p {
			unmapAnon(b)
			a.maps = append(a.maps[:i], a.maps[i+1:]...)
			return
		}
	}
}

// Free gives back everything a handed out.
func (a *Arena) Free() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, b := range a.maps {
		unmapAnon(b)
	}
	a.maps = nil
}

// FreeWith frees a once owner, a pointer, is unreachable: owner must be
// what holds every array of a.
func FreeWith[T any](a *Arena, owner *T) {
	runtime.AddCleanup(owner, func(a *Arena) { a.Free() }, a)
}

// Mapped returns the number of bytes a holds outside the heap.
func (a *Arena) Mapped() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, b := range a.maps {
		n += len(b)
	}
	return n
}
