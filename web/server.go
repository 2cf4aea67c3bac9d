// Package web is `mailcheck serve`: a helpdesk web page over probe, explain and report. Staff sign in;
// every probe runs under the exporter's connection policy (internal addresses refused unless allowed),
// an optional allow-list of targets, per-user limits and a lockout rule for logins shared by all users.
// Results are kept in a database without any secret, each at a permanent unguessable link.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is the server's policy; zero values get the defaults noted.
type Config struct {
	Users *Users
	Store *Store
	// Base is the probe configuration every check starts from (resolver, dialer, roots, timeout, ISPDB).
	Base probe.Config
	// Policy is the connection policy of every probe: nil refuses every internal address.
	Policy *netpolicy.Policy
	// Allow, when set, lists the targets that may be checked (the exporter's --allow-target).
	Allow *exporter.AllowList
	// MaxConcurrent and MaxPerHour bound each user's checks (default 2 and 30).
	MaxConcurrent, MaxPerHour int
	// LoginInterval is the lockout window: at most one failed login per server and protocol in it (default 10m).
	LoginInterval time.Duration
	// MaxTime bounds one probe (default 60s).
	MaxTime time.Duration
	// Retention is how long results are kept (default 30 days).
	Retention time.Duration
	// SecureCookies marks the session cookie Secure even over plain HTTP (behind a TLS proxy); it is
	// always Secure when the request came over TLS.
	SecureCookies bool
	// ProxyUserHeader, with TrustedProxies, signs staff in by a reverse proxy's authenticated-user
	// header (e.g. X-Remote-User from an SSO proxy): only for requests whose address is a trusted
	// proxy's; the header of anyone else is ignored. Empty: staff sign in with their password.
	ProxyUserHeader string
	TrustedProxies  []netip.Prefix
	// FailDelay is the pause after a failed sign-in (default 1s), SignInFailures failures in
	// SignInWindow per user name or per client address block further attempts (default 5 in 15m).
	FailDelay      time.Duration
	SignInFailures int
	SignInWindow   time.Duration
	// Version is mailcheck's version, for the ticket summary.
	Version string
	// Log receives one line per sign-in and check (never a password); nil discards.
	Log *log.Logger
	// Now is the clock (tests).
	Now func() time.Time
}

// Server is the web application; it is an http.Handler.
type Server struct {
	cfg   Config
	mux   *http.ServeMux
	pages map[string]*template.Template

	sessions   *sessions
	userFails  *failures
	addrFails  *failures
	quota      *quota
	gate       *loginGate
	jobs       *jobs
	background sync.WaitGroup
}

// New checks cfg and builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Users == nil || cfg.Users.Len() == 0 {
		return nil, errors.New("no staff accounts: add one with `mailcheck serve user add NAME --users FILE`")
	}
	if cfg.Store == nil {
		return nil, errors.New("no database (--db)")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.MaxConcurrent, 2)
	def(&cfg.MaxPerHour, 30)
	def(&cfg.SignInFailures, 5)
	defd(&cfg.LoginInterval, 10*time.Minute)
	defd(&cfg.MaxTime, 60*time.Second)
	defd(&cfg.Retention, 30*24*time.Hour)
	defd(&cfg.SignInWindow, 15*time.Minute)
	if cfg.FailDelay == 0 {
		cfg.FailDelay = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = log.New(io.Discard, "", 0)
	}
	if cfg.Policy == nil {
		cfg.Policy = netpolicy.New(nil)
	}
	s := &Server{
		cfg:       cfg,
		sessions:  newSessions(cfg.Now),
		userFails: newFailures(cfg.SignInFailures, cfg.SignInWindow, cfg.Now),
		addrFails: newFailures(cfg.SignInFailures*4, cfg.SignInWindow, cfg.Now),
		quota:     newQuota(cfg.MaxConcurrent, cfg.MaxPerHour, cfg.Now),
		gate:      newLoginGate(cfg.LoginInterval, cfg.Now),
		jobs:      newJobs(cfg.Now),
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(staticFS, "static")
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /signin", s.signinPage)
	m.HandleFunc("POST /signin", s.signin)
	m.HandleFunc("POST /signout", s.staff(s.signout))
	m.HandleFunc("GET /{$}", s.staff(s.home))
	m.HandleFunc("POST /probe", s.staff(s.startProbe))
	m.HandleFunc("GET /run/{id}", s.staff(s.runPage))
	m.HandleFunc("GET /run/{id}/events", s.staff(s.runEvents))
	m.HandleFunc("GET /r/{id}", s.staff(s.resultPage))
	m.HandleFunc("GET /history", s.staff(s.history))
	m.HandleFunc("POST /explain", s.staff(s.explain))
	s.mux = m
	return s, nil
}

// ServeHTTP sets the headers every answer carries, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

// Serve answers on ln until ctx ends; probes still running are given MaxTime to finish. Results past
// the retention period are deleted at start and every hour.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	s.cfg.Policy.DenySelf(ln.Addr()) // a target pointing back here must not make the page probe itself
	s.cfg.Base.Policy = s.cfg.Policy
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		MaxHeaderBytes: 16 << 10, IdleTimeout: 2 * time.Minute, ErrorLog: s.cfg.Log}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	pruneCtx, stopPrune := context.WithCancel(context.Background())
	defer stopPrune()
	go s.pruneLoop(pruneCtx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.MaxTime)
	defer cancel()
	_ = srv.Shutdown(sctx) // SSE streams end with the probes they follow
	s.background.Wait()
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) pruneLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.cfg.Store.Prune(ctx, s.cfg.Now().Add(-s.cfg.Retention)); err != nil {
			s.cfg.Log.Printf("retention: %v", err)
		} else if n > 0 {
			s.cfg.Log.Printf("retention: deleted %d result(s) older than %s", n, s.cfg.Retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// clientAddr is the address the request came from (no proxy header is trusted).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// maxForm bounds every POST body: an .eml pasted to explain is the largest.
const maxForm = 1 << 20

// parseForm reads a urlencoded or multipart body within maxForm.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxForm)
	}
	return r.ParseForm()
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	s.render(w, r, "error", map[string]any{"Code": code, "Status": http.StatusText(code), "Message": msg})
}

func ageOf(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	default:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
