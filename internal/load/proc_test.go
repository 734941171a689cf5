package load

import (
	"testing"
	"time"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		hwm, rss int64
		wantErr  bool
	}{
		{"linux", "Name:\tstrata\nVmPeak:\t  800000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t8\n", 20 << 20, 10 << 20, false},
		{"missing", "Name:\tkthreadd\nThreads:\t1\n", 0, 0, true},
		{"bad unit", "VmHWM:\t1 MB\nVmRSS:\t1 kB\n", 0, 0, true},
		{"bad number", "VmHWM:\tx kB\nVmRSS:\t1 kB\n", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hwm, rss, err := parseStatus([]byte(tt.in))
			if (err != nil) != tt.wantErr || hwm != tt.hwm || rss != tt.rss {
				t.Errorf("parseStatus = %d, %d, %v; want %d, %d, error %v", hwm, rss, err, tt.hwm, tt.rss, tt.wantErr)
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"plain", "1234 (strata) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 9 0 100 0 0\n", 3 * time.Second, false},
		{"name with spaces and parens", "1234 (a) b (c)) R 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1 0 0\n", 100 * time.Millisecond, false},
		{"truncated", "1234 (strata) S 1 2 3\n", 0, true},
		{"no name", "1234 strata S\n", 0, true},
		{"bad number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 a 3 0\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.in))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseStat = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
