package exporter

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
)

func TestAllowList(t *testing.T) {
	a, err := ParseAllowList([]string{"example.com", "*.example.net", "192.0.2.0/24", "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"example.com": true, "EXAMPLE.COM.": true, "mail.example.com": false,
		"example.net": false, "mail.example.net": true, "a.b.example.net": true, "badexample.net": false,
		"192.0.2.7": true, "192.0.3.7": false, "2001:db8::1": true, "[2001:db8::1]": true, "2001:db8::2": false,
		"": false,
	} {
		if got := a.AllowsHost(host); got != want {
			t.Errorf("AllowsHost(%q) = %v, want %v", host, got, want)
		}
	}
	req := func(target string) probe.Request {
		r, err := probe.ParseRequest(target)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if !a.Allows(req("alice@example.com")) || a.Allows(req("alice@mail.example.com")) {
		t.Error("an address must be judged by its domain")
	}
	if !a.Allows(req("imaps://imap.example.net")) || a.Allows(req("imaps://imap.example.org")) {
		t.Error("an endpoint URL must be judged by its host")
	}
	any, _ := ParseAllowList([]string{"*"})
	if !any.AllowsHost("anything.example") {
		t.Error("* allows anything")
	}
	none, _ := ParseAllowList(nil)
	if !none.Empty() || none.AllowsHost("example.com") {
		t.Error("an empty list allows nothing")
	}
	for _, bad := range []string{"mail.*.com", "*.-x.com", "10.0.0.0/33", "exa mple.com", "**.example.com"} {
		if _, err := ParseAllowList([]string{bad}); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

func TestCheckQueryRefusesCredentials(t *testing.T) {
	for _, raw := range []string{
		"target=example.com&password=hunter2",
		"target=example.com&pass=x",
		"target=example.com&PWD=x",
		"target=example.com&access_token=x",
		"target=example.com&client_secret=x",
		"target=imaps://alice:hunter2@mail.example.com",
		"target=imaps://alice@mail.example.com",
	} {
		q, _ := url.ParseQuery(raw)
		err := CheckQuery(q)
		if err == nil || !strings.Contains(err.Error(), CredentialHint) {
			t.Errorf("%s: %v, want a refusal saying where credentials go", raw, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the refusal repeats the secret: %v", raw, err)
		}
	}
	for raw, ok := range map[string]bool{
		"target=example.com":                      true,
		"target=alice@example.com&module=default": true,
		"target=example.com&debug=true":           true,
		"":                                        false,
		"target=":                                 false,
		"target=a.example&target=b.example":       false,
		"target=example.com&modul=x":              false,
	} {
		q, _ := url.ParseQuery(raw)
		if err := CheckQuery(q); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", raw, err, ok)
		}
	}
}

func TestDeadline(t *testing.T) {
	m := Module{MaxTime: duration{30 * time.Second}}
	for header, want := range map[string]time.Duration{
		"":      30 * time.Second,
		"10":    9500 * time.Millisecond,
		"60":    30 * time.Second,
		"0.25":  250 * time.Millisecond,
		"2.500": 2 * time.Second,
	} {
		r, _ := http.NewRequest("GET", "/probe", nil)
		if header != "" {
			r.Header.Set(ScrapeTimeoutHeader, header)
		}
		got, err := Deadline(r, m, 500*time.Millisecond)
		if err != nil || got != want {
			t.Errorf("header %q: %v, %v; want %v", header, got, err, want)
		}
	}
	r, _ := http.NewRequest("GET", "/probe", nil)
	r.Header.Set(ScrapeTimeoutHeader, "soon")
	if _, err := Deadline(r, m, 0); err == nil {
		t.Error("a bad header must be an error")
	}
}

func TestModules(t *testing.T) {
	mods, err := ParseModules("m.toml", []byte(`
[module.imap_login]
timeout = "2s"
max_time = "8s"
starttls = "try"
cert_warn_days = 21
login = true
user = "probe@example.com"
password_env = "PROBE_PW"
`))
	if err != nil {
		t.Fatal(err)
	}
	m := mods["imap_login"]
	if m.Timeout.Duration != 2*time.Second || m.MaxTime.Duration != 8*time.Second || m.STARTTLS != "try" || *m.CertWarnDays != 21 {
		t.Errorf("module read as %+v", m)
	}
	creds, err := m.Credentials(func(k string) string { return map[string]string{"PROBE_PW": "s3cret"}[k] })
	if err != nil || creds.User != "probe@example.com" || creds.Password != "s3cret" {
		t.Errorf("credentials %v, %v", creds, err)
	}
	if _, err := m.Credentials(func(string) string { return "" }); err == nil {
		t.Error("an unset password_env must fail at start-up")
	}
	for _, bad := range []string{
		`[module.x]` + "\n" + `password = "hunter2"`,
		`[module.x]` + "\n" + `timeout = "soon"`,
		`[module.x]` + "\n" + `starttls = "maybe"`,
		`[module.x]` + "\n" + `login = true` + "\n" + `user = "u"`,
		`[module.x]` + "\n" + `login = true` + "\n" + `user = "u"` + "\n" + `password_env = "A"` + "\n" + `password_file = "/f"`,
		`[module.x]` + "\n" + `user = "u"`,
		`[module."a b"]`,
		`[module.x]` + "\n" + `expect = "absent"` + "\n" + `cert_min_days = 3`,
		`[module.x]` + "\n" + `plaintext_login = "maybe"`,
		`[module.x]` + "\n" + `cert_min_days = 30` + "\n" + `cert_warn_days = 20`,
		`[target]`,
	} {
		if _, err := ParseModules("m.toml", []byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error repeats a secret: %v", err)
		}
	}
}

// TestLimiterConcurrency: with one slot, a second target waits for the first probe, and gives up when its
// deadline ends first.
func TestLimiterConcurrency(t *testing.T) {
	l := newLimiter(1, 0)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _, _ = l.do(context.Background(), "a", func() *result { close(started); <-release; return &result{} })
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the deadline of the second scrape is already over: no slot, busy
	if _, _, err := l.do(ctx, "b", func() *result { t.Error("ran beyond the limit"); return &result{} }); err != errBusy {
		t.Errorf("got %v, want busy", err)
	}
	if l.inFlight() != 1 {
		t.Errorf("in flight %d, want 1", l.inFlight())
	}
	close(release)
	<-done
	if _, shared, err := l.do(context.Background(), "b", func() *result { return &result{} }); err != nil || shared {
		t.Errorf("after the slot freed: shared=%v err=%v", shared, err)
	}
}

// TestLimiterPerTarget: requests for one target while its probe runs, or within the interval, share it;
// after the interval a new probe runs.
func TestLimiterPerTarget(t *testing.T) {
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	l := newLimiter(4, 10*time.Second)
	l.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	runs := 0
	probeOnce := func() *result { runs++; return &result{id: strconv.Itoa(runs)} }

	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan *result)
	go func() {
		rec, _, _ := l.do(context.Background(), "k", func() *result { close(started); <-release; return probeOnce() })
		first <- rec
	}()
	<-started
	second := make(chan *result)
	go func() {
		rec, shared, err := l.do(context.Background(), "k", probeOnce)
		if !shared || err != nil {
			t.Errorf("a request during the probe: shared=%v err=%v", shared, err)
		}
		second <- rec
	}()
	close(release)
	a, b := <-first, <-second
	if a != b || runs != 1 {
		t.Fatalf("concurrent requests ran %d probes (records %p %p), want one shared", runs, a, b)
	}
	mu.Lock()
	now = now.Add(5 * time.Second)
	mu.Unlock()
	if rec, shared, _ := l.do(context.Background(), "k", probeOnce); !shared || rec != a {
		t.Error("a request within the interval must get the last result")
	}
	if _, shared, _ := l.do(context.Background(), "other", probeOnce); shared || runs != 2 {
		t.Error("another target must be probed")
	}
	mu.Lock()
	now = now.Add(6 * time.Second)
	mu.Unlock()
	if _, shared, _ := l.do(context.Background(), "k", probeOnce); shared || runs != 3 {
		t.Error("after the interval a new probe must run")
	}
}
