package exporter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ScrapeTimeoutHeader is the header in which Prometheus sends each scrape's timeout, in seconds.
const ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// Deadline is how long a probe asked for by r may take: the module's max_time, shortened to the scrape
// timeout Prometheus announces minus offset (the time the answer needs to travel back), so that the
// probe ends with an answer instead of Prometheus giving up on it. A header too small for the offset is
// taken as it is.
func Deadline(r *http.Request, m Module, offset time.Duration) (time.Duration, error) {
	d := m.MaxTime.Duration
	v := r.Header.Get(ScrapeTimeoutHeader)
	if v == "" {
		return d, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs <= 0 || secs > 24*3600 {
		return 0, fmt.Errorf("header %s: %q is not a number of seconds", ScrapeTimeoutHeader, v)
	}
	scrape := time.Duration(secs * float64(time.Second))
	if scrape > offset {
		scrape -= offset
	}
	return min(d, scrape), nil
}

// errBusy is a probe that could not start before its deadline: --concurrency probes were running.
var errBusy = errors.New("busy")

// errFull is a new key refused because the interval rule already remembers maxKeys keys, all probed
// within the last --target-interval: forgetting one would let that target be probed again too soon.
var errFull = errors.New("too many targets probed within the interval")

// errForgotten is a key probed within the interval whose metrics were dropped to keep the results
// within maxSharedBytes: it is not probed again before the interval ends.
var errForgotten = errors.New("the result was dropped before the interval ended")

// result is what the interval rule keeps of a finished probe: what a scrape in the interval is answered
// with (the metrics as served, the probe's ID for the header), never the probe's record with its report
// and transcripts, which only the --history ring keeps.
type result struct {
	id      string
	metrics []byte
	// err is why the metrics could not be rendered.
	err error
}

// size is what r holds, for the byte budget (the fixed overhead included).
func (r *result) size() int { return len(r.metrics) + len(r.id) + 64 }

// limiter bounds the probes running at once and how often one key (module and normalised target, see
// requestKey) is probed: a request within minInterval of the last probe of the same key, or while it
// runs, gets that probe's result instead of a new connection to the server. That keeps a Prometheus HA
// pair, a short scrape interval or a curious user from multiplying logins (and fail2ban bans) on the mail
// servers.
//
// Its memory is bounded whatever the scrape pattern: it keeps results only for minInterval, at most
// maxKeys of them and maxBytes of metrics together; running probes are at most the concurrency.
type limiter struct {
	sem         chan struct{}
	minInterval time.Duration
	now         func() time.Time
	maxKeys     int
	maxBytes    int
	// queued, when set, is called when a request starts waiting for a free slot (tests).
	queued func()

	mu     sync.Mutex
	recent map[string]*flight
	// order holds the finished flights still remembered, oldest first: each is appended when it
	// finishes, so the front is always the next to expire.
	order []*flight
	bytes int
}

// flight is the latest probe of one key; done is closed when res is set.
type flight struct {
	key  string
	done chan struct{}
	at   time.Time
	res  *result
}

// The interval rule's bounds: keys remembered (a key is at most a few hundred bytes, see maxTargetLen)
// and bytes of metrics kept for them.
const (
	maxKeys        = 10000
	maxSharedBytes = 16 << 20
)

func newLimiter(concurrency int, minInterval time.Duration) *limiter {
	return &limiter{sem: make(chan struct{}, concurrency), minInterval: minInterval, now: time.Now,
		maxKeys: maxKeys, maxBytes: maxSharedBytes, recent: map[string]*flight{}}
}

// do returns the result of a probe of key: a recent or running one's (shared true), or a new one run by
// fn within the concurrency limit. It gives up with errBusy when ctx ends before a slot is free, with
// errFull or errForgotten when the interval rule can neither share a result nor allow a new probe.
func (l *limiter) do(ctx context.Context, key string, fn func() *result) (res *result, shared bool, err error) {
	l.mu.Lock()
	l.expire()
	f := l.recent[key]
	l.mu.Unlock()
	if f != nil {
		return l.wait(ctx, f)
	}

	select {
	case l.sem <- struct{}{}:
	default:
		if l.queued != nil {
			l.queued()
		}
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, false, errBusy
		}
	}
	defer func() { <-l.sem }()

	f, mine, err := l.claim(key)
	if err != nil {
		return nil, false, err
	}
	if !mine { // another request started it while this one waited for the slot
		return l.wait(ctx, f)
	}
	res = fn()
	l.finish(f, res)
	return res, false, nil
}

// claim returns the running or recent probe of key, or registers a new one that the caller runs (mine).
func (l *limiter) claim(key string) (f *flight, mine bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire()
	if f := l.recent[key]; f != nil {
		return f, false, nil
	}
	if len(l.recent) >= l.maxKeys {
		return nil, false, errFull
	}
	f = &flight{key: key, done: make(chan struct{})}
	l.recent[key] = f
	return f, true, nil
}

// finish sets f's result and keeps it for the interval (within the byte budget), or forgets f at once
// without an interval.
func (l *limiter) finish(f *flight, res *result) {
	l.mu.Lock()
	f.at, f.res = l.now(), res
	if l.minInterval <= 0 {
		delete(l.recent, f.key)
	} else {
		l.order = append(l.order, f)
		l.bytes += res.size()
		l.trim()
	}
	l.mu.Unlock()
	close(f.done)
}

// wait returns f's result once it is done, or errBusy when ctx ends first.
func (l *limiter) wait(ctx context.Context, f *flight) (*result, bool, error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, true, errBusy
	}
	l.mu.Lock()
	res := f.res
	l.mu.Unlock()
	if res == nil {
		return nil, true, errForgotten
	}
	return res, true, nil
}

// expire forgets the finished flights older than minInterval; l.mu is held.
func (l *limiter) expire() {
	now := l.now()
	n := 0
	for _, f := range l.order {
		if now.Sub(f.at) < l.minInterval {
			break
		}
		if l.recent[f.key] == f {
			delete(l.recent, f.key)
		}
		if f.res != nil {
			l.bytes -= f.res.size()
		}
		n++
	}
	if n > 0 {
		clear(l.order[:n]) // let the collector have them
		l.order = l.order[n:]
	}
}

// trim drops the metrics of the oldest remembered results while they exceed maxBytes; their keys stay,
// so the interval rule still holds for them (a scrape gets errForgotten, not a new probe); l.mu is held.
func (l *limiter) trim() {
	for _, f := range l.order {
		if l.bytes <= l.maxBytes {
			return
		}
		if f.res != nil {
			l.bytes -= f.res.size()
			f.res = nil
		}
	}
}

// retryAfter is how long until key may be probed again.
func (l *limiter) retryAfter(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.recent[key]; f != nil && !f.at.IsZero() {
		return max(0, l.minInterval-l.now().Sub(f.at))
	}
	if len(l.order) > 0 {
		return max(0, l.minInterval-l.now().Sub(l.order[0].at))
	}
	return l.minInterval
}

// inFlight is the number of probes running.
func (l *limiter) inFlight() int { return len(l.sem) }
