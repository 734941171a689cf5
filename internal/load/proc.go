package load

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ServerStats is what the load tool measured of the server process.
type ServerStats struct {
	PID int
	// PeakRSS is the process's peak resident set size in bytes since it
	// started (VmHWM at the end of the run).
	PeakRSS int64
	// MaxRSS is the largest resident set size in bytes sampled during the
	// run (VmRSS every 100 ms).
	MaxRSS int64
	// CPU is the user and system CPU time the process used during the
	// measured phase; CPUTotal since it started.
	CPU, CPUTotal time.Duration
}

// userHZ is the unit of the times in /proc/PID/stat: Linux reports them
// in USER_HZ, which is 100 on every architecture Go supports.
const userHZ = 100

// procStatus returns the VmHWM and VmRSS of a process in bytes.
func procStatus(pid int) (hwm, rss int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStatus(b)
}

// parseStatus reads VmHWM and VmRSS (in kB) from /proc/PID/status text.
func parseStatus(b []byte) (hwm, rss int64, err error) {
	var found int
	for line := range bytes.Lines(b) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(key) {
		case "VmHWM":
			dst = &hwm
		case "VmRSS":
			dst = &rss
		default:
			continue
		}
		f := strings.Fields(string(val))
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("/proc status: bad %s line %q", key, line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc status: bad %s line %q", key, line)
		}
		*dst = kb << 10
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("/proc status: no VmHWM and VmRSS (a kernel thread or a zombie?)")
	}
	return hwm, rss, nil
}

// procCPU returns the user plus system CPU time of a process.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(b)
}

// parseStat reads utime and stime from /proc/PID/stat text. The command
// name, field 2, is in parentheses and may hold spaces and parentheses, so
// fields are counted from the last ')'.
func parseStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc stat: no command name")
	}
	// After ")": state (field 3), ..., utime (14), stime (15).
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name, want at least 13", len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: bad utime %q or stime %q", f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// sampler follows a process's memory and CPU during a run.
type sampler struct {
	pid   int
	stats ServerStats
	cpu0  time.Duration
	done  chan struct{}
	quit  chan struct{}
}

// startSampler checks that the process can be read and starts sampling
// its VmRSS every interval; the CPU baseline is taken after warmup.
func startSampler(pid int, warmup, interval time.Duration) (*sampler, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("pid %d is not a process id", pid)
	}
	_, rss, err := procStatus(pid)
	if err != nil {
		return nil, fmt.Errorf("server pid %d: %v", pid, err)
	}
	cpu, err := procCPU(pid)
	if err != nil {
		return nil, fmt.Errorf("server pid %d: %v", pid, err)
	}
	s := &sampler{pid: pid, stats: ServerStats{PID: pid, MaxRSS: rss}, cpu0: cpu,
		done: make(chan struct{}), quit: make(chan struct{})}
	go s.loop(warmup, interval)
	return s, nil
}

func (s *sampler) loop(warmup, interval time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var measure <-chan time.Time
	if warmup > 0 {
		t := time.NewTimer(warmup)
		defer t.Stop()
		measure = t.C
	}
	for {
		select {
		case <-s.quit:
			return
		case <-measure:
			if cpu, err := procCPU(s.pid); err == nil {
				s.cpu0 = cpu
			}
		case <-tick.C:
			if _, rss, err := procStatus(s.pid); err == nil {
				s.stats.MaxRSS = max(s.stats.MaxRSS, rss)
			}
		}
	}
}

// stop ends sampling and returns the stats. If the process is gone, the
// figures are those sampled until then and err says so.
func (s *sampler) stop() (*ServerStats, error) {
	close(s.quit)
	<-s.done
	st := s.stats
	hwm, rss, err := procStatus(s.pid)
	if err != nil {
		return &st, fmt.Errorf("server pid %d: %v", s.pid, err)
	}
	st.PeakRSS = max(hwm, st.MaxRSS)
	st.MaxRSS = max(st.MaxRSS, rss)
	cpu, err := procCPU(s.pid)
	if err != nil {
		return &st, fmt.Errorf("server pid %d: %v", s.pid, err)
	}
	st.CPUTotal = cpu
	st.CPU = cpu - s.cpu0
	return &st, nil
}
