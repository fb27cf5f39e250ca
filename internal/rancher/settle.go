// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"sync"
	"time"
)

// Cattle finishes a transition of a given kind in a fairly steady time on a
// given server (milliseconds to about a second). The client learns it, so a
// wait's first read usually finds the object settled just after it did:
// fewer requests and less latency than any fixed schedule.
//
// What is learnt is the delay from the sighting of a transition (the answer
// that showed it begin) to the sending of the first read that finds it done.
// Waits run side by side (Terraform applies ten resources at a time) and
// finish in batches, so a first read that found the transition done lowers
// the estimate only a little, and reads too early raise it to about what
// they saw, no higher however many of them say so.
const (
	settleMinFirst = 10 * time.Millisecond
	// A first read that found the transition done lowers the estimate by a
	// fraction: it probes for a shorter time. The fraction starts small,
	// grows while first reads keep finding it done (so a coarse first
	// estimate comes down quickly) and starts again after one that did not.
	settleProbeMin    = 0.001
	settleProbeMax    = 0.02
	settleProbeGrowth = 1.1
	// A read too early raises the estimate by at most this fraction, so one
	// slow answer (a retried read, a pause) does not undo what was learnt.
	settleMaxRise = 0.125
	// After a first read too early, read again after estimate/settleRepoll
	// (at least settleRepollMin), then back off: the transition is
	// probably just about done.
	settleRepoll    = 16
	settleRepollMin = 5 * time.Millisecond
)

// settleTimes holds the estimates, per kind and starting state.
type settleTimes struct {
	mu  sync.Mutex
	est map[string]settleEstimate
}

type settleEstimate struct {
	delay time.Duration
	probe float64 // the fraction the next first-read hit takes off
}

func settleKey(k kind, startState string) string { return k.collection + "/" + startState }

// estimate is the learnt delay for a transition of kind k that began in
// startState, or 0 when none is known yet.
func (c *Client) estimate(k kind, startState string) time.Duration {
	c.settle.mu.Lock()
	defer c.settle.mu.Unlock()
	return c.settle.est[settleKey(k, startState)].delay
}

// pollSchedule gives, for a wait on a transition that began in startState,
// when to send the first read (counted from the sighting of the
// transition) and the interval before the next read after a read that
// found it still running; later intervals double up to pollMax.
func (c *Client) pollSchedule(k kind, startState string) (first, repoll time.Duration) {
	est := c.estimate(k, startState)
	if est == 0 {
		return pollFirst, pollFirst
	}
	return min(max(est, settleMinFirst), pollMax), min(max(est/settleRepoll, settleRepollMin), pollMax)
}

// settleObservation is what one wait saw, as delays from the sighting of
// the transition to the sending of a read.
type settleObservation struct {
	firstHit bool          // the first read found it done
	pending  time.Duration // the last read that found it running (when !firstHit)
	done     time.Duration // the read that found it done
}

// learn records one finished wait. The first one sets the estimate to when
// the transition was seen done. After that, a first read that found it done
// nudges the estimate down; otherwise the transition ended between the last
// read that saw it running and the one that saw it done, and the estimate
// rises towards the middle of that span if it is below it.
func (c *Client) learn(k kind, startState string, o settleObservation) {
	if o.done <= 0 {
		return
	}
	key := settleKey(k, startState)
	c.settle.mu.Lock()
	defer c.settle.mu.Unlock()
	if c.settle.est == nil {
		c.settle.est = map[string]settleEstimate{}
	}
	e, known := c.settle.est[key]
	switch {
	case !known:
		e = settleEstimate{delay: o.done, probe: settleProbeMin}
	case o.firstHit:
		e.delay = time.Duration(float64(e.delay) * (1 - e.probe))
		e.probe = min(e.probe*settleProbeGrowth, settleProbeMax)
	default:
		mid := (o.pending + o.done) / 2
		e.delay = max(e.delay, min(mid, time.Duration(float64(e.delay)*(1+settleMaxRise))))
		e.probe = settleProbeMin
	}
	e.delay = min(max(e.delay, settleMinFirst), pollMax)
	c.settle.est[key] = e
}
