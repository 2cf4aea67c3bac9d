package exporter

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
)

// TestLimiterForgets: the interval rule keeps a result for the interval only, however many distinct keys
// come: after the interval a thousand keys leave nothing behind (issue 20, finding 3: up to 100,000
// whole records were kept).
func TestLimiterForgets(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(4, 10*time.Second)
	l.now = func() time.Time { return now }
	for i := range 1000 {
		if _, _, err := l.do(context.Background(), fmt.Sprint("k", i), func() *result { return &result{id: "x", metrics: make([]byte, 100)} }); err != nil {
			t.Fatal(err)
		}
	}
	if len(l.recent) != 1000 || len(l.order) != 1000 {
		t.Fatalf("within the interval: %d keys, %d queued; want 1000", len(l.recent), len(l.order))
	}
	now = now.Add(10 * time.Second)
	if _, _, err := l.do(context.Background(), "last", func() *result { return &result{} }); err != nil {
		t.Fatal(err)
	}
	if len(l.recent) != 1 || len(l.order) != 1 || l.bytes != (&result{}).size() {
		t.Errorf("after the interval: %d keys, %d queued, %d bytes; want only the last", len(l.recent), len(l.order), l.bytes)
	}

	// Without an interval nothing is kept once the probe has answered.
	l0 := newLimiter(4, 0)
	_, _, _ = l0.do(context.Background(), "k", func() *result { return &result{} })
	if len(l0.recent) != 0 || len(l0.order) != 0 {
		t.Errorf("without an interval %d keys are kept", len(l0.recent))
	}
}

// TestLimiterBounds: beyond maxBytes of metrics the oldest results are dropped but their keys are not
// probed again within the interval; beyond maxKeys fresh keys a new key is refused, not let in by
// forgetting one.
func TestLimiterBounds(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(4, 10*time.Second)
	l.now = func() time.Time { return now }
	l.maxKeys, l.maxBytes = 3, 2*(&result{metrics: make([]byte, 1000)}).size()
	runs := 0
	probeOnce := func() *result { runs++; return &result{id: fmt.Sprint(runs), metrics: make([]byte, 1000)} }
	for _, k := range []string{"a", "b", "c"} {
		if _, _, err := l.do(context.Background(), k, probeOnce); err != nil {
			t.Fatal(err)
		}
	}
	if l.bytes > l.maxBytes {
		t.Errorf("%d bytes kept, budget %d", l.bytes, l.maxBytes)
	}
	if _, _, err := l.do(context.Background(), "a", probeOnce); !errors.Is(err, errForgotten) || runs != 3 {
		t.Errorf("a key whose result was dropped: err %v, %d probes; want errForgotten and no new probe", err, runs)
	}
	if res, shared, err := l.do(context.Background(), "c", probeOnce); err != nil || !shared || res.id != "3" {
		t.Errorf("the newest key: %v %v %v, want its result shared", res, shared, err)
	}
	if _, _, err := l.do(context.Background(), "d", probeOnce); !errors.Is(err, errFull) || runs != 3 {
		t.Errorf("a fourth key with three remembered: err %v, %d probes; want errFull", err, runs)
	}
	if d := l.retryAfter("d"); d != 10*time.Second {
		t.Errorf("retry after %s, want 10s (the oldest key's age)", d)
	}
	now = now.Add(10 * time.Second)
	if _, shared, err := l.do(context.Background(), "d", probeOnce); err != nil || shared || runs != 4 {
		t.Errorf("after the interval: shared %v err %v runs %d", shared, err, runs)
	}
}

// blockingDialer holds dials to hold until release is closed, and records the deadline of every other.
type blockingDialer struct {
	hold    string
	held    chan struct{} // closed when the held dial has started
	release chan struct{}
	once    sync.Once

	mu        sync.Mutex
	deadlines map[string]time.Time
}

func (d *blockingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr == d.hold {
		d.once.Do(func() { close(d.held) })
		<-d.release
		return nil, errors.New("refused (test)")
	}
	dl, _ := ctx.Deadline()
	d.mu.Lock()
	d.deadlines[addr] = dl
	d.mu.Unlock()
	return nil, errors.New("refused (test)")
}

// TestQueuedScrapeKeepsItsDeadline: a scrape that waits for a probe slot gets what is left of its
// deadline, counted from its arrival, not a fresh one once the slot frees (issue 20, finding 7: a
// queued scrape was answered after 9.2 s against a 5 s scrape timeout).
func TestQueuedScrapeKeepsItsDeadline(t *testing.T) {
	mods, err := ParseModules("m.toml", []byte("[module.default]\ntimeout = \"1h\"\nmax_time = \"1h\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	allow, _ := ParseAllowList([]string{"*"})
	d := &blockingDialer{hold: "192.0.2.1:143", held: make(chan struct{}), release: make(chan struct{}), deadlines: map[string]time.Time{}}
	// The test's addresses are documentation ones, which the connection policy refuses unless allowed.
	policy := netpolicy.New([]netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")})
	e, err := New(Config{Modules: mods, Base: probe.Config{Dialer: d}, Allow: allow, Concurrency: 1, View: nopView{}, Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	queued := make(chan time.Time, 1)
	e.limit.queued = func() { queued <- time.Now() }
	scrape := func(target string) chan *httptest.ResponseRecorder {
		out := make(chan *httptest.ResponseRecorder, 1)
		r := httptest.NewRequest("GET", "/probe?target="+target, nil)
		r.Header.Set(ScrapeTimeoutHeader, "30")
		go func() {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			out <- w
		}()
		return out
	}
	first := scrape("imap://192.0.2.1:143")
	<-d.held
	second := scrape("imap://192.0.2.2:143")
	arrivedBy := <-queued // the second scrape arrived before it queued
	close(d.release)
	<-first
	if w := <-second; w.Code != http.StatusOK {
		t.Fatalf("the queued scrape: HTTP %d %s", w.Code, w.Body)
	}
	d.mu.Lock()
	got := d.deadlines["192.0.2.2:143"]
	d.mu.Unlock()
	budget := 30 * time.Second // the header's, TimeoutOffset being 0
	if got.IsZero() || got.After(arrivedBy.Add(budget)) {
		t.Errorf("the queued probe's deadline is %s after it queued, more than the scrape's %s counted from its arrival", got.Sub(arrivedBy), budget)
	}
}

// nopView renders nothing (the tests here look at the exporter's policy, not its pages).
type nopView struct{}

func (nopView) Metrics(*Record) prometheus.Gatherer        { return prometheus.NewRegistry() }
func (nopView) Report(io.Writer, *Record) error            { return nil }
func (nopView) Index(io.Writer, []*Record, []string) error { return nil }
func (nopView) ContentSecurityPolicy() string              { return "" }

// TestServerBounds: the HTTP server has every timeout and a header limit.
func TestServerBounds(t *testing.T) {
	mods, _ := LoadModules("")
	allow, _ := ParseAllowList([]string{"*"})
	e, err := New(Config{Modules: mods, Allow: allow, Concurrency: 1, View: nopView{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := e.server()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("unbounded server: %+v", srv)
	}
	if srv.WriteTimeout < mods[DefaultModule].MaxTime.Duration || srv.ReadTimeout < srv.WriteTimeout {
		t.Errorf("WriteTimeout %s, ReadTimeout %s: a probe of max_time %s would be cut", srv.WriteTimeout, srv.ReadTimeout, mods[DefaultModule].MaxTime.Duration)
	}
}

// serve runs e on a loopback listener until the test ends.
func serve(t *testing.T, e *Exporter) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// TestConnectionLimit: beyond MaxConnections a connection waits to be served until one closes; a client
// that sent its request and reads nothing more is dropped after the idle timeout (issue 20, finding 7:
// 50 such clients held 50 goroutines for 150 s).
func TestConnectionLimit(t *testing.T) {
	mods, _ := LoadModules("")
	allow, _ := ParseAllowList([]string{"*"})
	e, err := New(Config{Modules: mods, Allow: allow, Concurrency: 1, MaxConnections: 2, View: nopView{}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, e)
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	get := func(c net.Conn) string {
		fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(time.Minute)) // a failure bound, not a synchronisation
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return err.Error()
		}
		return line
	}
	a, b := dial(), dial()
	if got := get(a); !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Fatalf("first connection: %q", got)
	}
	if got := get(b); !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Fatalf("second connection: %q", got)
	}
	third := make(chan string, 1)
	go func() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			third <- err.Error()
			return
		}
		defer c.Close()
		third <- get(c)
	}()
	select {
	case got := <-third:
		t.Fatalf("a third connection was served while two were open: %q", got)
	case <-time.After(300 * time.Millisecond): // a slow machine only makes this pass more surely
	}
	a.Close()
	if got := <-third; !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Errorf("the third connection once one closed: %q", got)
	}
}

// TestIdleClientDropped: a client that sent one request and then neither reads nor sends is dropped after
// the idle timeout, not kept for minutes.
func TestIdleClientDropped(t *testing.T) {
	mods, _ := LoadModules("")
	allow, _ := ParseAllowList([]string{"*"})
	e, err := New(Config{Modules: mods, Allow: allow, Concurrency: 1, View: nopView{}})
	if err != nil {
		t.Fatal(err)
	}
	e.idle = 50 * time.Millisecond
	addr := serve(t, e)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(time.Minute)) // a failure bound: the server closes long before
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Errorf("the server did not close the idle connection: %v", err)
	}
}
