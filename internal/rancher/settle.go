package rancher

import (
	"sync"
	"time"
)

// Cattle finishes a transition of a given kind in a fairly steady time on a
// given server (milliseconds to about a second). The client learns it, so a
// wait's first read usually finds the object settled: fewer requests and
// less latency than any fixed schedule.
const (
	settleMinFirst = 10 * time.Millisecond
	settleMargin   = 1.2  // first read at estimate × margin
	settleShrink   = 0.97 // estimate × this after a first read that found it done
)

// settleTimes holds the estimates, per kind and starting state.
type settleTimes struct {
	mu  sync.Mutex
	est map[string]time.Duration
}

// firstPoll is how long after a transition began the first read should come.
func (c *Client) firstPoll(k kind, startState string) time.Duration {
	c.settle.mu.Lock()
	est := c.settle.est[k.collection+"/"+startState]
	c.settle.mu.Unlock()
	if est == 0 {
		return pollFirst
	}
	return min(max(time.Duration(float64(est)*settleMargin), settleMinFirst), pollMax)
}

// learn records one finished transition: it began at start.at and was
// seen finished at done. A wait whose first read found it finished (missed
// is false) nudges the estimate down, to probe for a shorter time; a wait
// that had to read again moves it halfway to what was observed.
func (c *Client) learn(k kind, start pendingSince, missed bool, done time.Time) {
	observed := done.Sub(start.at)
	if observed <= 0 {
		return
	}
	key := k.collection + "/" + start.state
	c.settle.mu.Lock()
	defer c.settle.mu.Unlock()
	if c.settle.est == nil {
		c.settle.est = map[string]time.Duration{}
	}
	est, ok := c.settle.est[key]
	switch {
	case !ok:
		est = observed
	case missed:
		// A retried read (say after a 429) can make one observation long:
		// let none more than double the estimate.
		est = (est + min(observed, 2*est+pollFirst)) / 2
	default:
		est = time.Duration(float64(est) * settleShrink)
	}
	c.settle.est[key] = min(est, pollMax)
}
