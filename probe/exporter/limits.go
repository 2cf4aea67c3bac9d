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

// limiter bounds the probes running at once and how often one (module, target) is probed: a request
// within minInterval of the last probe of the same target, or while it runs, gets that probe's record
// instead of a new connection to the server. That keeps a Prometheus HA pair, a short scrape interval or a
// curious user from multiplying logins (and fail2ban bans) on the mail servers.
type limiter struct {
	sem         chan struct{}
	minInterval time.Duration
	now         func() time.Time

	mu     sync.Mutex
	recent map[string]*flight
}

// flight is the latest probe of one key; done is closed when rec is set.
type flight struct {
	done chan struct{}
	at   time.Time
	rec  *Record
}

// maxRecent bounds the keys the limiter remembers; beyond it, finished entries older than the interval
// are forgotten first.
const maxRecent = 100000

func newLimiter(concurrency int, minInterval time.Duration) *limiter {
	return &limiter{sem: make(chan struct{}, concurrency), minInterval: minInterval, now: time.Now, recent: map[string]*flight{}}
}

// do returns the record of a probe of key: a recent or running one's (shared true), or a new one run by
// fn within the concurrency limit. It gives up with errBusy when ctx ends before a slot is free.
func (l *limiter) do(ctx context.Context, key string, fn func() *Record) (rec *Record, shared bool, err error) {
	l.mu.Lock()
	f := l.recent[key]
	running := f != nil && l.fresh(f)
	l.mu.Unlock()
	if running {
		return l.wait(ctx, f)
	}

	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, false, errBusy
	}
	defer func() { <-l.sem }()

	f, mine := l.claim(key)
	if !mine { // another request started it while this one waited for the slot
		return l.wait(ctx, f)
	}
	rec = fn()
	l.mu.Lock()
	f.at, f.rec = l.now(), rec
	l.mu.Unlock()
	close(f.done)
	return rec, false, nil
}

// claim returns the running or recent probe of key, or registers a new one that the caller runs (mine).
func (l *limiter) claim(key string) (f *flight, mine bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.recent[key]; f != nil && l.fresh(f) {
		return f, false
	}
	f = &flight{done: make(chan struct{})}
	l.prune()
	l.recent[key] = f
	return f, true
}

// wait returns f's record once it is done, or errBusy when ctx ends first.
func (l *limiter) wait(ctx context.Context, f *flight) (*Record, bool, error) {
	select {
	case <-f.done:
		return f.rec, true, nil
	case <-ctx.Done():
		return nil, true, errBusy
	}
}

// fresh says whether f is running or finished less than minInterval ago; l.mu is held.
func (l *limiter) fresh(f *flight) bool {
	if f.rec == nil {
		return true // running
	}
	return l.minInterval > 0 && l.now().Sub(f.at) < l.minInterval
}

// prune forgets stale keys once too many are remembered; l.mu is held.
func (l *limiter) prune() {
	if len(l.recent) < maxRecent {
		return
	}
	for k, f := range l.recent {
		if !l.fresh(f) {
			delete(l.recent, k)
		}
	}
}

// inFlight is the number of probes running.
func (l *limiter) inFlight() int { return len(l.sem) }
