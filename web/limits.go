package web

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/probe"
)

// failures counts recent failed sign-ins per key (a user name, a client address) within a window: a
// key with max failures in the window is refused until the oldest one leaves it.
type failures struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	seen map[string][]time.Time
}

func newFailures(max int, window time.Duration, now func() time.Time) *failures {
	return &failures{max: max, window: window, now: now, seen: map[string][]time.Time{}}
}

// blocked says whether key is refused now, and for how long.
func (f *failures) blocked(key string) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.recent(key)
	if len(ts) < f.max {
		return false, 0
	}
	return true, ts[0].Add(f.window).Sub(f.now())
}

func (f *failures) add(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) > 100000 { // bound the memory a flood of names or addresses can take
		for k := range f.seen {
			if len(f.recent(k)) == 0 {
				delete(f.seen, k)
			}
		}
	}
	f.seen[key] = append(f.recent(key), f.now())
}

// recent drops key's failures older than the window; f.mu is held.
func (f *failures) recent(key string) []time.Time {
	ts := f.seen[key]
	cut := f.now().Add(-f.window)
	for len(ts) > 0 && !ts[0].After(cut) {
		ts = ts[1:]
	}
	if len(ts) == 0 {
		delete(f.seen, key)
		return nil
	}
	f.seen[key] = ts
	return ts
}

// quota bounds each staff user's checks: at most concurrent running at once and hourly started in any
// hour, so one account (or a stolen session) cannot turn the page into a scanner.
type quota struct {
	concurrent int
	hourly     int
	now        func() time.Time

	mu      sync.Mutex
	running map[string]int
	started map[string][]time.Time
}

func newQuota(concurrent, hourly int, now func() time.Time) *quota {
	return &quota{concurrent: concurrent, hourly: hourly, now: now, running: map[string]int{}, started: map[string][]time.Time{}}
}

// take reserves a check for user, or says why not; release ends it.
func (q *quota) take(user string) (release func(), err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running[user] >= q.concurrent {
		return nil, fmt.Errorf("you have %d check(s) running, the most allowed at once (--max-concurrent): wait for one to finish", q.running[user])
	}
	ts := q.started[user]
	cut := q.now().Add(-time.Hour)
	for len(ts) > 0 && !ts[0].After(cut) {
		ts = ts[1:]
	}
	if len(ts) >= q.hourly {
		return nil, fmt.Errorf("you have started %d checks in the last hour, the most allowed (--max-per-hour): try again in %s",
			len(ts), ts[0].Add(time.Hour).Sub(q.now()).Round(time.Minute))
	}
	q.started[user] = append(ts, q.now())
	q.running[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			q.running[user]--
		})
	}, nil
}

// loginGate keeps logins with a password from failing more than once per server and protocol in any
// window, whichever staff user asks: a helpdesk retyping a wrong password from several desks must not get
// the user's account locked or the server's address banned (fail2ban counts failures per address).
// It learns the servers of a domain from its probes, so a second check of the same domain with a
// password is refused while a login there failed less than a window ago.
type loginGate struct {
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	failed  map[string]time.Time // "host/protocol" -> last failed login
	servers map[string][]string  // domain or target -> the "host/protocol" keys its probes logged in on
}

func newLoginGate(window time.Duration, now func() time.Time) *loginGate {
	return &loginGate{window: window, now: now, failed: map[string]time.Time{}, servers: map[string][]string{}}
}

func serverKey(ep probe.Endpoint) string { return ep.Host + "/" + string(ep.Protocol) }

func requestKeys(req probe.Request) (scope string, keys []string) {
	for _, ep := range req.Endpoints {
		keys = append(keys, serverKey(ep))
	}
	if req.Domain != "" {
		return req.Domain, keys
	}
	return req.Target, keys
}

// check refuses a login attempt on req while a login on one of its servers failed within the window.
func (g *loginGate) check(req probe.Request) error {
	if g.window <= 0 {
		return nil
	}
	scope, keys := requestKeys(req)
	g.mu.Lock()
	defer g.mu.Unlock()
	keys = append(keys, g.servers[scope]...)
	if req.Domain != "" { // servers inside the domain, where a check of an endpoint URL failed to log in
		for k := range g.failed {
			host, _, _ := strings.Cut(k, "/")
			if host == req.Domain || strings.HasSuffix(host, "."+req.Domain) {
				keys = append(keys, k)
			}
		}
	}
	for _, k := range keys {
		if t, ok := g.failed[k]; ok {
			if left := t.Add(g.window).Sub(g.now()); left > 0 {
				return fmt.Errorf("a login on %s failed %s ago: to keep the account from being locked, the next login there may be tried in %s (--login-interval); the check without a password runs at any time",
					k, g.now().Sub(t).Round(time.Second), left.Round(time.Second))
			}
		}
	}
	return nil
}

// record notes the servers rep logged in on, and those where the login failed.
func (g *loginGate) record(req probe.Request, rep *probe.Report) {
	scope, _ := requestKeys(req)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.failed) > 100000 {
		for k, t := range g.failed {
			if g.now().Sub(t) > g.window {
				delete(g.failed, k)
			}
		}
	}
	if len(g.servers) > 100000 {
		g.servers = map[string][]string{}
	}
	seen := map[string]bool{}
	for _, k := range g.servers[scope] {
		seen[k] = true
	}
	for _, res := range rep.Endpoints {
		if res.Auth == nil || !res.Auth.Tested || res.Auth.SameAs != "" {
			continue
		}
		k := serverKey(res.Endpoint)
		if !seen[k] {
			seen[k] = true
			g.servers[scope] = append(g.servers[scope], k)
		}
		if !res.Auth.OK {
			g.failed[k] = g.now()
		}
	}
}
