package offheap

import "testing"

func TestMakeReleaseFree(t *testing.T) {
	var a Arena
	if s := Make[int64](&a, 0); s != nil {
		t.Fatalf("Make(0) = %v, want nil", s)
	}
	x := Make[int64](&a, 1000)
	y := Make[float64](&a, 10)
	if len(x) != 1000 || len(y) != 10 {
		t.Fatalf("lengths %d, %d", len(x), len(y))
	}
	for i := range x {
		if x[i] != 0 {
			t.Fatalf("x[%d] = %d, want zeroed memory", i, x[i])
		}
		x[i] = int64(i)
	}
	if a.Mapped() < 8000+80 {
		t.Errorf("Mapped = %d, want at least the two arrays", a.Mapped())
	}
	Release(&a, x)
	if a.Mapped() >= 8000 {
		t.Errorf("after Release, Mapped = %d, want only y's pages", a.Mapped())
	}
	y[9] = 1.5
	a.Free()
	if a.Mapped() != 0 {
		t.Errorf("after Free, Mapped = %d", a.Mapped())
	}
}
