package exporter_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
	"github.com/mailcheck/mailcheck/report"
)

// countingDialer counts the connections the probes open through it.
type countingDialer struct {
	probe.Dialer
	n atomic.Int64
}

func (d *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.n.Add(1)
	return d.Dialer.DialContext(ctx, network, addr)
}

// TestSpellingsShareOneProbe: within --target-interval, the spellings of one target the issue lists (case,
// a trailing dot or slash, the port with a leading zero or left out, another local part) reach the
// server once: the key is the normalised request (issue 20, finding 5: seven logins in seconds).
func TestSpellingsShareOneProbe(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	mods, err := exporter.ParseModules("test.toml", []byte("[module.login]\nlogin = true\nuser = \"alice@sandbox.test\"\npassword_env = \"SANDBOX_PW\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	def, _ := exporter.LoadModules("")
	mods[exporter.DefaultModule] = def[exporter.DefaultModule]
	allow, _ := exporter.ParseAllowList([]string{"sandbox.test", "*.sandbox.test"})
	dialer := &countingDialer{Dialer: sb}
	exp, err := exporter.New(exporter.Config{
		Modules: mods,
		Base: probe.Config{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 30 * time.Second},
			Dialer: dialer, RootCAs: sb.RootCAs},
		Getenv:      func(k string) string { return map[string]string{"SANDBOX_PW": sb.World.Users["alice@sandbox.test"]}[k] },
		Allow:       allow,
		Concurrency: 4, TargetInterval: time.Hour, View: report.ExporterView{}, Policy: sandboxPolicy(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp)
	t.Cleanup(srv.Close)

	for _, group := range []struct {
		module   string
		spelling []string
	}{
		{"login", []string{"imaps://imap.sandbox.test:993", "IMAPS://imap.sandbox.test:993", "imaps://IMAP.Sandbox.TEST:993",
			"imaps://imap.sandbox.test.:993", "imaps://imap.sandbox.test:993/", "imaps://imap.sandbox.test:0993", "imaps://imap.sandbox.test"}},
		{"default", []string{"sandbox.test", "SANDBOX.test", "sandbox.test.", "alice@sandbox.test", "bob@Sandbox.Test", "carol@sandbox.test."}},
	} {
		before := dialer.n.Load()
		var first int64
		for i, target := range group.spelling {
			code, body := get(t, srv, probePath(target, group.module))
			if code != 200 || !strings.Contains(body, "probe_success") {
				t.Fatalf("%s: HTTP %d %s", target, code, body)
			}
			if i == 0 {
				first = dialer.n.Load() - before
			}
		}
		if first == 0 {
			t.Fatalf("%s: the first probe opened no connection", group.spelling[0])
		}
		if got := dialer.n.Load() - before; got != first {
			t.Errorf("%d spellings of %s opened %d connections, want the first probe's %d alone", len(group.spelling), group.spelling[0], got, first)
		}
	}
}

// chattyIMAP answers every command with lines of capabilities lines long of width bytes each: a server
// whose every probe fills its transcript and capability lists to their caps.
func chattyIMAP(c net.Conn, lines, width int) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	fmt.Fprintf(w, "* OK chatty IMAP server ready\r\n")
	if w.Flush() != nil {
		return
	}
	filler := strings.Repeat("x", width)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			return
		}
		for i := range lines {
			fmt.Fprintf(w, "* CAPABILITY IMAP4rev1 X-%d-%s\r\n", i, filler)
		}
		fmt.Fprintf(w, "%s OK done\r\n", f[0])
		if w.Flush() != nil || len(f) > 1 && strings.EqualFold(f[1], "LOGOUT") {
			return
		}
	}
}

type chattyDialer struct{}

func (chattyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	go chattyIMAP(server, 300, 600)
	return client, nil
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestRetainedHeapBounded: 300 distinct scrapes of chatty servers leave the exporter holding its
// --history reports and the interval rule's metrics, not 300 reports with their transcripts (issue 20,
// finding 3: 300 scrapes took RSS from 37 MB to 1.7 GB).
func TestRetainedHeapBounded(t *testing.T) {
	const scrapes, history = 300, 10
	mods, _ := exporter.LoadModules("")
	allow, _ := exporter.ParseAllowList([]string{"*"})
	exp, err := exporter.New(exporter.Config{Modules: mods, Base: probe.Config{Dialer: chattyDialer{}}, Allow: allow,
		Concurrency: 4, TargetInterval: time.Hour, History: history, DebugPages: true, View: report.ExporterView{},
		Policy: sandboxPolicy(t)})
	if err != nil {
		t.Fatal(err)
	}
	base := heapInUse()
	var wg sync.WaitGroup
	targets := make(chan string)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for target := range targets {
				w := httptest.NewRecorder()
				exp.ServeHTTP(w, httptest.NewRequest("GET", "/probe?"+url.Values{"target": {target}}.Encode(), nil))
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "probe_success") {
					t.Errorf("%s: HTTP %d %.200s", target, w.Code, w.Body)
				}
			}
		}()
	}
	for i := range scrapes {
		targets <- fmt.Sprintf("imap://127.0.0.1:%d", 10001+i) // distinct keys, every one a chatty server
	}
	close(targets)
	wg.Wait()
	retained := int64(heapInUse()) - int64(base)
	// Generous: history reports of at most one run's 2 MiB of transcripts each, and the metrics the
	// interval rule keeps (16 MiB at most); the 300 reports kept before this bound were over 100 MiB.
	bound := int64(history*(2<<20) + 16<<20)
	t.Logf("retained heap after %d distinct scrapes: %.1f MiB (bound %.0f MiB)", scrapes, float64(retained)/(1<<20), float64(bound)/(1<<20))
	if retained > bound {
		t.Errorf("after %d distinct scrapes the heap grew by %.1f MiB, bound %.0f MiB", scrapes, float64(retained)/(1<<20), float64(bound)/(1<<20))
	}
	runtime.KeepAlive(exp)
}

// newPlainExporter is an exporter that probes nothing real: its dialer is the chatty server's.
func newPlainExporter(t *testing.T, debugPages bool) *httptest.Server {
	t.Helper()
	mods, _ := exporter.LoadModules("")
	allow, _ := exporter.ParseAllowList([]string{"192.0.2.0/24"})
	exp, err := exporter.New(exporter.Config{Modules: mods, Base: probe.Config{Dialer: chattyDialer{}}, Allow: allow,
		Concurrency: 2, TargetInterval: time.Hour, History: 10, DebugPages: debugPages, View: report.ExporterView{},
		Policy: sandboxPolicy(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp)
	t.Cleanup(srv.Close)
	return srv
}

// TestDebugPagesSwitch: without DebugPages (--debug-pages) no report or transcript is served and no
// probe is listed; with it, probes are listed under random, unguessable IDs.
func TestDebugPagesSwitch(t *testing.T) {
	off := newPlainExporter(t, false)
	if code, body := get(t, off, probePath("imap://192.0.2.1", "")); code != 200 || !strings.Contains(body, "probe_success") {
		t.Fatalf("a probe: HTTP %d %s", code, body)
	}
	for path, want := range map[string]int{
		"/": 200, probePath("imap://192.0.2.1", "") + "&debug=true": 403, "/probes/1": 404,
	} {
		code, body := get(t, off, path)
		if code != want || strings.Contains(body, "chatty") || strings.Contains(body, "192.0.2.1") {
			t.Errorf("debug pages off, %s: HTTP %d (want %d), body %q", path, code, want, body)
		}
	}

	on := newPlainExporter(t, true)
	for _, target := range []string{"imap://192.0.2.1", "imap://192.0.2.2"} {
		if code, body := get(t, on, probePath(target, "")); code != 200 {
			t.Fatalf("%s: HTTP %d %s", target, code, body)
		}
	}
	_, body := get(t, on, "/")
	ids := probeLink.FindAllStringSubmatch(body, -1)
	if len(ids) != 2 || ids[0][1] == ids[1][1] {
		t.Fatalf("the index lists %v, want two random IDs:\n%s", ids, body)
	}
	if code, body := get(t, on, "/probes/"+ids[0][1]); code != 200 || !strings.Contains(body, "imap://192.0.2.2") || !strings.Contains(body, "chatty IMAP server") {
		t.Errorf("the newest probe's report: HTTP %d %.300s", code, body)
	}
	if code, body := get(t, on, probePath("imap://192.0.2.1", "")+"&debug=true"); code != 200 || !strings.Contains(body, "chatty IMAP server") {
		t.Errorf("debug=true on a shared probe: HTTP %d %.300s", code, body)
	}
}

// TestSecurityHeaders: every answer, page, metrics or refusal, forbids scripts, framing and sniffing,
// and text is served as text.
func TestSecurityHeaders(t *testing.T) {
	on := newPlainExporter(t, true)
	_, _ = get(t, on, probePath("imap://192.0.2.1", ""))
	_, body := get(t, on, "/")
	id := probeLink.FindStringSubmatch(body)
	if id == nil {
		t.Fatalf("no probe listed:\n%s", body)
	}
	for path, ctype := range map[string]string{
		"/":                               "text/html; charset=utf-8",
		"/probes/" + id[1]:                "text/plain; charset=utf-8",
		"/probes/nope":                    "text/plain; charset=utf-8",
		"/metrics":                        "text/plain; version=0.0.4; charset=utf-8",
		probePath("imap://192.0.2.1", ""): "text/plain; version=0.0.4; charset=utf-8",
		probePath("imap://192.0.2.1", "") + "&debug=true": "text/plain; charset=utf-8",
		"/probe?target=x&password=y":                      "text/plain; charset=utf-8",
	} {
		resp, err := on.Client().Get(on.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: X-Content-Type-Options %q, X-Frame-Options %q", path, h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"))
		}
		if got := h.Get("Content-Type"); !strings.HasPrefix(got, ctype) {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ctype)
		}
	}
}

// TestTargetHygiene: a target with a control character, a local part over 64 octets or a host over 253
// characters is refused with 400 and one line that does not repeat it (issue 20, finding 7: control
// characters and 20,000-byte local parts were accepted).
func TestTargetHygiene(t *testing.T) {
	srv := newPlainExporter(t, false)
	long := strings.Repeat("a", 60) + "."
	for _, target := range []string{
		"alice@example.com\r\nSTAT",
		"imap://192.0.2.1\n",
		"example.com\x00",
		"ali\u202ece@example.com",
		"al\x85ice@example.com",
		strings.Repeat("a", 65) + "@example.com",
		strings.Repeat("a", 20000) + "@example.com",
		strings.Repeat(long, 5) + "com",
		"imaps://" + strings.Repeat(long, 5) + "com",
	} {
		code, body := get(t, srv, probePath(target, ""))
		if code != 400 || strings.Count(strings.TrimSuffix(body, "\n"), "\n") > 0 || len(body) > 300 || !strings.HasPrefix(body, "target: ") {
			t.Errorf("%.40q: HTTP %d, body %q; want 400 and one short line", target, code, body)
		}
	}
	// At the limits: valid, refused only by the allow list.
	for _, target := range []string{strings.Repeat("a", 64) + "@example.com", strings.Repeat(long, 4) + strings.Repeat("a", 9), "imaps://" + strings.Repeat(long, 4) + strings.Repeat("a", 9)} {
		if code, body := get(t, srv, probePath(target, "")); code != 403 {
			t.Errorf("%.40q: HTTP %d %s, want 403 (not allowed) and no 400", target, code, body)
		}
	}
}
