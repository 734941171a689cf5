package api

import "time"

// SetFeedTiming shortens the change feed's poll and heartbeat for tests,
// and returns the function that restores them.
func SetFeedTiming(poll, heartbeat time.Duration) (restore func()) {
	p, h := pollEvery, heartbeatEvery
	pollEvery, heartbeatEvery = poll, heartbeat
	return func() { pollEvery, heartbeatEvery = p, h }
}
