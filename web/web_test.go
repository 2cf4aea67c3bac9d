package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
	"github.com/mailcheck/mailcheck/web"
)

const (
	staffPassword = "staff password 1"
	userPassword  = "correct horse battery staple" // the sandbox users' password
)

// syncBuffer is a log destination the handlers and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type env struct {
	t     *testing.T
	srv   *httptest.Server
	dir   string
	log   *syncBuffer
	store *web.Store
}

// newEnv serves the web page over a sandbox world; private is the --allow-private list (the sandbox
// lives on 127.0.0.0/8, which the connection policy refuses by default).
func newEnv(t *testing.T, w sandbox.World, private []string, tweak func(*web.Config)) *env {
	t.Helper()
	sb := sandboxtest.Start(t, w)
	dir := t.TempDir()
	users := filepath.Join(dir, "staff")
	for _, n := range []string{"alice", "bob"} {
		if err := web.AddUser(users, n, staffPassword); err != nil {
			t.Fatal(err)
		}
	}
	u, err := web.LoadUsers(users)
	if err != nil {
		t.Fatal(err)
	}
	store, err := web.OpenStore(context.Background(), filepath.Join(dir, "results.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var prefixes []netip.Prefix
	for _, p := range private {
		prefixes = append(prefixes, netip.MustParsePrefix(p))
	}
	logs := &syncBuffer{}
	cfg := web.Config{
		Users: u, Store: store, Policy: netpolicy.New(prefixes),
		Base: probe.Config{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 5 * time.Second},
			Dialer: sb, RootCAs: sb.RootCAs, ISPDB: sandbox.DemoISPDB},
		FailDelay: time.Nanosecond, Log: log.New(logs, "", 0),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: httptest.NewServer(s), dir: dir, log: logs, store: store}
	t.Cleanup(e.srv.Close)
	return e
}

// client is a browser: a cookie jar, redirects followed.
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (e *env) get(c *http.Client, path string) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp, string(b)
}

func (e *env) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp, string(b)
}

// csrf reads the form token from a page.
func (e *env) csrf(page string) string {
	e.t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		e.t.Fatalf("no CSRF field on the page:\n%s", page)
	}
	return m[1]
}

func (e *env) signIn(c *http.Client, name, password string) *http.Response {
	e.t.Helper()
	_, page := e.get(c, "/signin")
	resp, _ := e.post(c, "/signin", url.Values{"csrf": {e.csrf(page)}, "name": {name}, "password": {password}})
	return resp
}

// staff is a signed-in client and its CSRF token.
func (e *env) staff(name string) (*http.Client, string) {
	e.t.Helper()
	c := e.client()
	if resp := e.signIn(c, name, staffPassword); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		e.t.Fatalf("sign-in as %s: %s at %s", name, resp.Status, resp.Request.URL)
	}
	_, home := e.get(c, "/")
	return c, e.csrf(home)
}

// check starts a probe and follows its progress stream to the end; it returns the progress lines and the
// result page (or the refusal's status and page when the check did not start).
func (e *env) check(c *http.Client, token string, form url.Values) (lines []string, resp *http.Response, page string) {
	e.t.Helper()
	form.Set("csrf", token)
	resp, page = e.post(c, "/probe", form)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, "/run/") {
		return nil, resp, page
	}
	ev, err := c.Get(e.srv.URL + resp.Request.URL.Path + "/events")
	if err != nil {
		e.t.Fatal(err)
	}
	defer ev.Body.Close()
	if ct := ev.Header.Get("Content-Type"); ct != "text/event-stream" {
		e.t.Fatalf("events: Content-Type %q", ct)
	}
	sc := bufio.NewScanner(ev.Body)
	done := false
	for sc.Scan() {
		l := sc.Text()
		switch {
		case l == "event: done":
			done = true
		case l == "event: failed":
			e.t.Fatalf("the check failed: %v", lines)
		case strings.HasPrefix(l, "data: ") && done:
			resp, page = e.get(c, strings.TrimPrefix(l, "data: "))
			return lines, resp, page
		case strings.HasPrefix(l, "data: "):
			lines = append(lines, strings.TrimPrefix(l, "data: "))
		}
	}
	e.t.Fatalf("the event stream ended without done: %v", lines)
	return
}

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	c := e.client()
	for _, path := range []string{"/signin", "/", "/static/app.js", "/static/app.css", "/nowhere", "/r/00000000000000000000000000000000"} {
		resp, _ := e.get(c, path)
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self';",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
		} {
			if got := resp.Header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
		if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") || !strings.Contains(got, "form-action 'self'") {
			t.Errorf("%s: CSP %q lacks frame-ancestors/form-action", path, got)
		}
	}
}

func TestSignInAndSessionCookie(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	c := e.client()
	if resp, _ := e.get(c, "/"); resp.Request.URL.Path != "/signin" {
		t.Fatalf("signed out, / went to %s, want /signin", resp.Request.URL.Path)
	}
	_, page := e.get(c, "/signin")
	noRedirect := *c
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := e.post(&noRedirect, "/signin", url.Values{"csrf": {e.csrf(page)}, "name": {"alice"}, "password": {staffPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %s", resp.Status)
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "mailcheck_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || len(session.Value) < 32 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, a long random value", session)
	}
	if _, home := e.get(c, "/"); !strings.Contains(home, "Sign out alice") || !strings.Contains(home, "from this server's network") {
		t.Errorf("home page after sign-in lacks the user or the sentence on where it tests from:\n%s", home)
	}
	if !strings.Contains(e.log.String(), "signed in: alice") {
		t.Errorf("log lacks the sign-in: %s", e.log)
	}
}

// Over TLS the cookies are Secure and the answers carry HSTS.
func TestCookiesSecureOverTLS(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	ts := httptest.NewTLSServer(e.srv.Config.Handler)
	defer ts.Close()
	c := ts.Client()
	resp, err := c.Get(ts.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(resp.Cookies()) == 0 || !resp.Cookies()[0].Secure || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("sign-in page over TLS: cookies %v, HSTS %q; want Secure cookies and HSTS", resp.Cookies(), resp.Header.Get("Strict-Transport-Security"))
	}
	req, _ := http.NewRequest("POST", ts.URL+"/signin", strings.NewReader(url.Values{"csrf": {e.csrf(string(page))}, "name": {"alice"}, "password": {staffPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(resp.Cookies()[0])
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	found := false
	for _, ck := range resp.Cookies() {
		found = found || ck.Name == "mailcheck_session"
		if ck.Name == "mailcheck_session" && (!ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode) {
			t.Errorf("session cookie over TLS: %+v", ck)
		}
	}
	if resp.StatusCode != http.StatusSeeOther || !found {
		t.Errorf("sign-in over TLS: %s, session cookie set: %v", resp.Status, found)
	}
}

func TestPostWithoutCSRFIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	c := e.client()
	if resp, _ := e.post(c, "/signin", url.Values{"name": {"alice"}, "password": {staffPassword}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without the CSRF token: %s, want 403", resp.Status)
	}
	c, token := e.staff("alice")
	for _, path := range []string{"/probe", "/explain", "/signout"} {
		if resp, _ := e.post(c, path, url.Values{"target": {"sandbox.test"}, "text": {"535 5.7.8"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF token: %s, want 403", path, resp.Status)
		}
		if resp, _ := e.post(c, path, url.Values{"csrf": {strings.Repeat("0", len(token))}, "target": {"sandbox.test"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with a wrong CSRF token: %s, want 403", path, resp.Status)
		}
	}
	if _, page := e.get(c, "/history"); strings.Contains(page, "sandbox.test") {
		t.Errorf("a refused POST ran a check:\n%s", page)
	}
}

func TestFailedSignInsAreLimited(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, func(c *web.Config) { c.SignInFailures = 3 })
	c := e.client()
	for i := 0; i < 3; i++ {
		if resp := e.signIn(c, "alice", "wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %s, want 401", i+1, resp.Status)
		}
	}
	e.signIn(e.client(), staffPassword, "x") // the password typed into the name field
	if strings.Contains(e.log.String(), staffPassword) || !strings.Contains(e.log.String(), `sign-in failed (user "alice"`) {
		t.Errorf("log: want failures of known users named and unknown names never shown:\n%s", e.log)
	}
	resp := e.signIn(c, "alice", staffPassword)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("right password after 3 failures: %s (Retry-After %q), want 429 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	// Another user from the same address is not locked yet (the per-address limit is 4 times higher)...
	if resp := e.signIn(e.client(), "bob", staffPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("bob: %s", resp.Status)
	}
	// ...until the address has failed too often, whatever the names tried.
	for i := 0; i < 9; i++ {
		e.signIn(e.client(), "nobody"+string(rune('a'+i)), "x")
	}
	if resp := e.signIn(e.client(), "bob", staffPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("bob after 12 failures from his address: %s, want 429", resp.Status)
	}
}

func TestProbeTheSandbox(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), []string{"127.0.0.0/8"}, nil)
	c, token := e.staff("alice")
	lines, resp, page := e.check(c, token, url.Values{"target": {"alice@sandbox.test"}})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, "/r/") {
		t.Fatalf("result: %s at %s\n%s", resp.Status, resp.Request.URL, page)
	}
	if len(lines) == 0 {
		t.Error("no live progress")
	}
	id := strings.TrimPrefix(resp.Request.URL.Path, "/r/")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
		t.Errorf("result ID %q is not 128 random bits in hex", id)
	}
	for _, want := range []string{"Settings to type", "imap.sandbox.test", "993", "Problems and fixes", "Ticket summary", "<details>", "just now", "/r/" + id} {
		if !strings.Contains(page, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
	if strings.Index(page, "Settings to type") > strings.Index(page, "Problems and fixes") || strings.Index(page, "Problems and fixes") > strings.Index(page, "<details>") {
		t.Error("result page order: want settings, then problems, then details")
	}
	// The permanent link works for the rest of the team, and the history finds it by domain.
	bob, _ := e.staff("bob")
	if resp, _ := e.get(bob, "/r/"+id); resp.StatusCode != http.StatusOK {
		t.Errorf("bob opens the link: %s", resp.Status)
	}
	if _, h := e.get(bob, "/history?domain=sandbox.test"); !strings.Contains(h, "/r/"+id) {
		t.Error("team history for sandbox.test lacks the check")
	}
	if _, h := e.get(bob, "/history?domain=Someone@Sandbox.Test"); !strings.Contains(h, "/r/"+id) {
		t.Error("team history searched by an address of the domain lacks the check")
	}
	if _, h := e.get(bob, "/history?domain=example.com"); strings.Contains(h, "/r/"+id) {
		t.Error("history for example.com lists the sandbox check")
	}
	if _, h := e.get(bob, "/history?mine=1"); strings.Contains(h, "/r/"+id) {
		t.Error("bob's own history lists alice's check")
	}
	if resp, _ := e.get(bob, "/r/"+strings.Repeat("a", 32)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ID: %s, want 404", resp.Status)
	}
}

// A domain whose MX points at the cloud metadata address and at loopback is probed without a single
// connection there: the connection policy refuses them at dial time.
func TestInternalTargetThroughMXIsRefused(t *testing.T) {
	const ttl = " 300 IN "
	w := sandbox.World{
		Domain: "evil.test",
		Records: []string{
			"evil.test." + ttl + "MX 10 meta.evil.test.",
			"evil.test." + ttl + "MX 20 local.evil.test.",
			"meta.evil.test." + ttl + "A 169.254.169.254",
			"local.evil.test." + ttl + "A 127.0.0.1",
		},
		Services: []sandbox.Service{
			{IP: "169.254.169.254", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModePlain},
			{IP: "127.0.0.1", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModePlain},
		},
	}
	e := newEnv(t, w, nil, nil)
	c, token := e.staff("alice")
	_, resp, page := e.check(c, token, url.Values{"target": {"evil.test"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("result: %s\n%s", resp.Status, page)
	}
	for _, addr := range []string{"169.254.169.254", "127.0.0.1"} {
		if !regexp.MustCompile(`(?s)` + regexp.QuoteMeta(addr) + `.{0,400}address_not_allowed|address_not_allowed.{0,400}` + regexp.QuoteMeta(addr)).MatchString(page) {
			t.Errorf("report does not show %s refused as address_not_allowed", addr)
		}
	}
	if strings.Contains(page, "ESMTP") {
		t.Errorf("the page shows a greeting from an internal server:\n%s", page)
	}
}

// A password written into the target URL is refused without being echoed or logged.
func TestPasswordInTargetRefused(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	c, token := e.staff("alice")
	_, resp, page := e.check(c, token, url.Values{"target": {"imaps://alice:hunter2secret@imap.sandbox.test"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("target with user:password@: %s, want 400", resp.Status)
	}
	if strings.Contains(page+e.log.String(), "hunter2secret") {
		t.Error("the password in the target is echoed or logged")
	}
}

func TestAllowTargetRefusesOthers(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), []string{"127.0.0.0/8"}, func(c *web.Config) {
		c.Allow = mustAllow(t, "*.example.com")
	})
	c, token := e.staff("alice")
	if _, resp, _ := e.check(c, token, url.Values{"target": {"sandbox.test"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("target outside --allow-target: %s, want 403", resp.Status)
	}
}

// The password reaches the sandbox's servers and nowhere else: not the database file (raw, base64 or
// hex, also as the AUTH PLAIN string), not the log, not the pages.
func TestPasswordNeverStored(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), []string{"127.0.0.0/8"}, nil)
	c, token := e.staff("alice")
	_, resp, page := e.check(c, token, url.Values{"target": {"alice@sandbox.test"}, "password": {userPassword}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "login verified") {
		t.Fatalf("the login was not verified: %s\n%s", resp.Status, page)
	}
	_, history := e.get(c, "/history")
	secrets := [][]byte{[]byte(userPassword)}
	for _, s := range []string{userPassword, "\x00alice@sandbox.test\x00" + userPassword} {
		secrets = append(secrets, []byte(base64.StdEncoding.EncodeToString([]byte(s))), []byte(base64.RawURLEncoding.EncodeToString([]byte(s))))
	}
	secrets = append(secrets, []byte(hex.EncodeToString([]byte(userPassword))), []byte(strings.ToUpper(hex.EncodeToString([]byte(userPassword)))))
	e.store.Close() // flush the WAL into the file
	files, _ := filepath.Glob(filepath.Join(e.dir, "results.db*"))
	if len(files) == 0 {
		t.Fatal("no database file")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s holds the password as %q", filepath.Base(f), s)
			}
		}
	}
	for what, text := range map[string]string{"log": e.log.String(), "result page": page, "history": history} {
		for _, s := range secrets {
			if strings.Contains(text, string(s)) {
				t.Errorf("the %s holds the password as %q", what, s)
			}
		}
	}
}

func TestPerUserHourlyLimit(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), []string{"127.0.0.0/8"}, func(c *web.Config) { c.MaxPerHour = 1 })
	c, token := e.staff("alice")
	target := url.Values{"target": {"imaps://imap.sandbox.test"}}
	if _, resp, _ := e.check(c, token, target); resp.StatusCode != http.StatusOK {
		t.Fatalf("first check: %s", resp.Status)
	}
	if _, resp, page := e.check(c, token, target); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "--max-per-hour") {
		t.Errorf("second check in the hour: %s, want 429 naming --max-per-hour", resp.Status)
	}
	bob, btoken := e.staff("bob") // the limit is per user
	if _, resp, _ := e.check(bob, btoken, target); resp.StatusCode != http.StatusOK {
		t.Errorf("bob's first check: %s", resp.Status)
	}
}

// A failed login on a server blocks the next login there for the window, whoever asks; a check without
// a password still runs.
func TestFailedLoginLocksOutTheTeam(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), []string{"127.0.0.0/8"}, nil)
	c, token := e.staff("alice")
	target := "imaps://imap.sandbox.test"
	if _, resp, page := e.check(c, token, url.Values{"target": {target}, "login": {"alice@sandbox.test"}, "password": {"wrong password"}}); resp.StatusCode != http.StatusOK || strings.Contains(page, "login verified") {
		t.Fatalf("first login: %s", resp.Status)
	}
	bob, btoken := e.staff("bob")
	_, resp, page := e.check(bob, btoken, url.Values{"target": {target}, "login": {"alice@sandbox.test"}, "password": {userPassword}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "--login-interval") {
		t.Errorf("bob's login right after alice's failed one: %s, want 429 naming --login-interval\n%s", resp.Status, page)
	}
	// A check of the domain the failed server belongs to is refused too, before any login is sent.
	if _, resp, _ := e.check(bob, btoken, url.Values{"target": {"alice@sandbox.test"}, "password": {userPassword}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("bob's login on the address's domain: %s, want 429", resp.Status)
	}
	if _, resp, _ := e.check(bob, btoken, url.Values{"target": {target}}); resp.StatusCode != http.StatusOK {
		t.Errorf("a check without a password: %s, want it to run", resp.Status)
	}
}

func TestExplainPaste(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	c, token := e.staff("alice")
	resp, page := e.post(c, "/explain", url.Values{"csrf": {token}, "text": {"<script>alert(1)</script> 535 5.7.8 Error: authentication failed"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("explain: %s", resp.Status)
	}
	for _, want := range []string{"Confidence", "What to do"} {
		if !strings.Contains(page, want) {
			t.Errorf("explain page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("the paste reached the page unescaped")
	}
}

// An .eml file is explained from a multipart form, as the browser sends the file field.
func TestExplainEmlUpload(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	c, token := e.staff("alice")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", token)
	fw, _ := mw.CreateFormFile("eml", "bounce.eml")
	io.WriteString(fw, "From: MAILER-DAEMON@example.com\r\nSubject: Undelivered Mail\r\n\r\n550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in virtual mailbox table\r\n")
	mw.Close()
	resp, err := c.Post(e.srv.URL+"/explain", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Confidence") {
		t.Fatalf("explain of an .eml: %s\n%s", resp.Status, page)
	}
	// Without the token the same upload is refused.
	body.Reset()
	mw = multipart.NewWriter(&body)
	fw, _ = mw.CreateFormFile("eml", "bounce.eml")
	io.WriteString(fw, "550 5.1.1 user unknown")
	mw.Close()
	resp2, err := c.Post(e.srv.URL+"/explain", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusForbidden {
		t.Errorf("multipart POST without the CSRF token: %s, want 403", resp2.Status)
	}
}

func TestUserFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "staff")
	if err := web.AddUser(f, "carol", "short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := web.AddUser(f, "bad name", staffPassword); err == nil {
		t.Error("a name with a space was accepted")
	}
	if err := web.AddUser(f, "carol", strings.Repeat("x", 73)); err == nil {
		t.Error("a 73-byte password (bcrypt ignores the rest) was accepted")
	}
	if err := web.AddUser(f, "carol", staffPassword); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(f)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("accounts file mode %o, want 600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(f)
	if strings.Contains(string(b), staffPassword) || !strings.Contains(string(b), "carol:$2") {
		t.Errorf("accounts file:\n%s", b)
	}
	u, err := web.LoadUsers(f)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Verify("carol", staffPassword) || u.Verify("carol", "wrong") || u.Verify("dave", staffPassword) {
		t.Error("Verify")
	}
}

// proxyTransport adds a reverse proxy's authenticated-user header to every request.
type proxyTransport struct{ user string }

func (p proxyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Remote-User", p.user)
	return http.DefaultTransport.RoundTrip(r)
}

// TestProxySignIn: with --proxy-user-header and --trusted-proxy, a request from the trusted proxy's
// address is signed in as the user it names; the same header from any other address is ignored, and a
// name that is no valid user name is refused.
func TestProxySignIn(t *testing.T) {
	for _, tc := range []struct {
		trusted string
		user    string
		signed  bool
	}{{"127.0.0.0/8", "alice", true}, {"10.0.0.0/8", "alice", false}, {"127.0.0.0/8", "alice bob<script>", false}} {
		e := newEnv(t, sandbox.DemoWorld(), nil, func(c *web.Config) {
			c.ProxyUserHeader = "X-Remote-User"
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix(tc.trusted)}
		})
		c := e.client()
		c.Transport = proxyTransport{tc.user}
		resp, page := e.get(c, "/")
		signedIn := resp.Request.URL.Path == "/" && strings.Contains(page, `name="csrf"`)
		if signedIn != tc.signed {
			t.Errorf("trusted %s, user %q: signed in %v (at %s), want %v", tc.trusted, tc.user, signedIn, resp.Request.URL.Path, tc.signed)
		}
		if tc.signed {
			// The forms carry the session's CSRF token: a POST with it is accepted as after a password.
			if resp, _ := e.post(c, "/explain", url.Values{"csrf": {e.csrf(page)}, "text": {"535 5.7.8 Authentication failed"}}); resp.StatusCode != http.StatusOK {
				t.Errorf("explain as the proxy's user: HTTP %d", resp.StatusCode)
			}
		}
	}
}

// TestExplainChecksTheRecords: a bounce about the sender's authentication offers "Check the records of
// DOMAIN"; the button (a POST with the paste and the form's token) runs the posture checks that can
// confirm it, with the page's resolver, and shows their verdict and records.
func TestExplainChecksTheRecords(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, nil)
	c, token := e.staff("alice")
	bounce := "550-5.7.26 Your email has been blocked because the sender is unauthenticated.\n" +
		"550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\n" +
		"550-5.7.26  DKIM = did not pass\n550-5.7.26  SPF [sandbox.test] with ip: [192.0.2.7] = did not pass"
	_, page := e.post(c, "/explain", url.Values{"csrf": {token}, "text": {bounce}})
	if !strings.Contains(page, "Check the records of sandbox.test") || !strings.Contains(page, `name="records" value="1"`) {
		t.Fatalf("no records button on the explanation of a sender-authentication bounce:\n%s", page)
	}
	resp, page := e.post(c, "/explain", url.Values{"csrf": {e.csrf(page)}, "text": {bounce}, "records": {"1"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "The sending domain's records: sandbox.test") {
		t.Fatalf("records check: HTTP %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"spf", "dmarc", "192.0.2.7"} {
		if !strings.Contains(page, want) {
			t.Errorf("the records section lacks %q:\n%s", want, page)
		}
	}
	// A diagnosis the records cannot confirm gets no button.
	_, page = e.post(c, "/explain", url.Values{"csrf": {token}, "text": {"535 5.7.8 Error: authentication failed"}})
	if strings.Contains(page, "Check the records") {
		t.Error("a wrong password offers a records check")
	}
}

// TestRecordsCheckCountsAgainstTheLimits: a records check costs what a probe costs against the user's
// hourly limit, so the button cannot be used to make the page ask DNS and fetch policies without end.
func TestRecordsCheckCountsAgainstTheLimits(t *testing.T) {
	e := newEnv(t, sandbox.DemoWorld(), nil, func(c *web.Config) { c.MaxPerHour = 1 })
	c, token := e.staff("alice")
	bounce := "550-5.7.26  SPF [sandbox.test] with ip: [192.0.2.7] = did not pass"
	form := url.Values{"csrf": {token}, "text": {bounce}, "records": {"1"}}
	if resp, page := e.post(c, "/explain", form); resp.StatusCode != http.StatusOK || !strings.Contains(page, "The sending domain's records") {
		t.Fatalf("first records check: %s", resp.Status)
	}
	if resp, page := e.post(c, "/explain", form); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "--max-per-hour") {
		t.Errorf("second records check in the hour: %s, want 429 naming --max-per-hour", resp.Status)
	}
}
