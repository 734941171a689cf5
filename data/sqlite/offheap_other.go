//go:build !unix

package sqlite

func mapAnon(n int) []byte { return nil }

func unmapAnon([]byte) {}
