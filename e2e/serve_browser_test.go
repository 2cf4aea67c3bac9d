//go:build e2ebrowser

package e2e

// The web page in a real browser (issue 26): headless Chromium (Debian's chromium package) driven by
// chromedp through sign-in, a probe of the sandbox domain with live progress, an explain paste, the
// permanent link, the history, a domain whose MX points at the cloud metadata address, and a POST
// without the CSRF token. The server runs in this process over the in-process sandbox world, so no
// network namespace or root is needed:
//
//	go test -tags e2ebrowser -count=1 -run Browser ./e2e/
//
// Screenshots go to $E2E_SCREENSHOTS (default: a temporary directory, named in the log). CHROMIUM names
// the browser binary (default: chromium on PATH).

import (
	"context"
	"log"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	mcprobe "github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
	"github.com/mailcheck/mailcheck/web"
)

const browserStaffPassword = "staff password 1"

// browserWorld is the demo world plus evil.test, whose MX is the cloud metadata address.
func browserWorld() sandbox.World {
	w := sandbox.DemoWorld()
	w.OtherZones = append(w.OtherZones, "evil.test")
	w.Records = append(w.Records,
		"evil.test. 300 IN MX 10 meta.evil.test.",
		"meta.evil.test. 300 IN A 169.254.169.254")
	w.Services = append(w.Services, sandbox.Service{IP: "169.254.169.254", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModePlain})
	return w
}

func TestBrowserServe(t *testing.T) {
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("chromium"); err != nil {
			if os.Getenv("E2E_REQUIRE_BROWSER") != "" { // make e2e installs it: a missing browser is a failure
				t.Fatal("no chromium on PATH (apt-get install --no-install-recommends chromium, or set CHROMIUM)")
			}
			t.Skip("no chromium on PATH (apt-get install --no-install-recommends chromium, or set CHROMIUM)")
		}
	}
	shots := os.Getenv("E2E_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)

	sb := sandboxtest.Start(t, browserWorld())
	dir := t.TempDir()
	users := filepath.Join(dir, "staff")
	if err := web.AddUser(users, "alice", browserStaffPassword); err != nil {
		t.Fatal(err)
	}
	u, err := web.LoadUsers(users)
	if err != nil {
		t.Fatal(err)
	}
	store, err := web.OpenStore(context.Background(), filepath.Join(dir, "results.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := web.New(web.Config{
		Users: u, Store: store, Policy: netpolicy.New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}),
		Base: mcprobe.Config{Resolver: &mcprobe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 5 * time.Second},
			Dialer: sb, RootCAs: sb.RootCAs, ISPDB: sandbox.DemoISPDB},
		Log: log.New(os.Stderr, "serve: ", 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.WindowSize(1100, 1400))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first Run starts the browser, which lives as long as that call's context: no timeout on it.
	if err := chromedp.Do(bctx, chromedp.Navigate(hs.URL+"/")); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	ctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	defer cancelT()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			b, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), b, 0o644)
		})
	}
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	get := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	main := chromedp.Text(chromedp.CSS("main"))

	do("sign in",
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), browserStaffPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#target")),
		shot("1-form"))

	// A POST without the token (as a page elsewhere would send it) is refused.
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`fetch("/probe", {method: "POST", body: new URLSearchParams({target: "sandbox.test"})}).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil || status != 403 {
		t.Errorf("POST /probe without the CSRF token: %d, %v; want 403", status, err)
	}

	do("probe the sandbox",
		chromedp.SendKeys(chromedp.CSS("#target"), "alice@sandbox.test"),
		chromedp.Click(chromedp.CSS("details summary")),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Submit(chromedp.CSS("#target")),
		chromedp.WaitVisible(chromedp.CSS("#progress li")),
		shot("2-running"),
		// The script follows the event stream and opens the report when the probe is done.
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
		shot("3-report"))
	permalink, text := get(chromedp.Location()), get(main)
	if !strings.Contains(permalink, "/r/") || !strings.Contains(text, "Settings to type") || !strings.Contains(text, "login verified") {
		t.Errorf("report at %s:\n%s", permalink, text)
	}

	do("explain a paste",
		chromedp.Navigate(hs.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SendKeys(chromedp.CSS("#text"), "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."),
		chromedp.Submit(chromedp.CSS("#text")),
		chromedp.WaitVisible(chromedp.CSS(".verdict")),
		shot("4-explain"))
	if text = get(main); !strings.Contains(text, "Confidence") {
		t.Errorf("explain page:\n%s", text)
	}

	do("an internal MX is refused",
		chromedp.Navigate(hs.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#target")),
		chromedp.SendKeys(chromedp.CSS("#target"), "evil.test"),
		chromedp.Submit(chromedp.CSS("#target")),
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
		shot("5-internal-refused"))
	if text = get(main); !strings.Contains(text, "address_not_allowed") || !strings.Contains(text, "169.254.169.254") {
		t.Errorf("evil.test report does not show the metadata address refused:\n%s", text)
	}

	do("history",
		chromedp.Navigate(hs.URL+"/history?domain=sandbox.test"),
		chromedp.WaitVisible(chromedp.CSS("table")),
		shot("6-history"))
	if text = get(main); !strings.Contains(text, "alice@sandbox.test") || strings.Contains(text, "evil.test") {
		t.Errorf("history for sandbox.test:\n%s", text)
	}
	do("the permanent link at phone width",
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(permalink),
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
		shot("7-report-phone"))
}
