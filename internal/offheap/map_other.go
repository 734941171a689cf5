//go:build !unix

package offheap

func mapAnon(n int) []byte { return nil }

func unmapAnon([]byte) {}
