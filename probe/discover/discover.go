// Package discover asks the places mail clients ask for a domain's settings — the domain's autoconfig
// file (https and http), Mozilla's ISPDB, the provider its MX host belongs to, and Microsoft Autodiscover —
// and returns what each listed, with a record of the asking. A source never plans or starts a probe:
// package probe decides what to do with the candidates (LAYOUT.md).
//
// Every fetch verifies HTTPS certificates, caps the body (MaxBody) and the redirects (maxRedirects), and
// ends with its context; malformed answers become a recorded failure, never a panic.
package discover

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// Source names of the HTTP sources, as they appear in a Lookup, a Candidate and an endpoint's "source".
// Every source has its row in the registry (sources.go).
const (
	// Autoconfig is the domain's own config-v1.1.xml fetched over HTTPS.
	Autoconfig = "autoconfig"
	// AutoconfigHTTP is the same file fetched over plain http://, as Thunderbird still does by default:
	// anyone on the path can rewrite it, so it is forgeable.
	AutoconfigHTTP = "autoconfig-http"
	// ISPDB is Mozilla's database of provider settings (or the --ispdb mirror).
	ISPDB = "ispdb"
	// Provider is the ISPDB entry of the provider the domain's MX host belongs to: curated, and fetched
	// from the ISPDB's own fixed host, so a forged MX answer can only point it at another real provider.
	Provider = "mx-provider"
	// ProviderAutoconfig is the provider's own autoconfig file (https://autoconfig.P/...), where P comes
	// from the domain's MX answer: whoever forges that DNS answer chooses P, and so the file. Its HTTPS
	// certificate proves only that the file is P's, not that P is the domain's provider.
	ProviderAutoconfig = "mx-provider-autoconfig"
	// Autodiscover is Microsoft's POX Autodiscover reached over HTTPS at a name of the domain.
	Autodiscover = "autodiscover"
	// AutodiscoverRedirected is Autodiscover reached through a plain-http redirect or an SRV record:
	// both can be forged.
	AutodiscoverRedirected = "autodiscover-redirected"
)

// MaxBody caps every answer read: real configuration files are a few kilobytes.
const MaxBody = 256 << 10

// maxServers caps the servers taken from one answer, so a hostile file cannot plan thousands of probes.
const maxServers = 32

// maxRedirects caps the HTTP redirects one fetch follows.
const maxRedirects = 3

// Server is one server a source lists, with the login name it gives (placeholders applied).
type Server struct {
	endpoint.Endpoint
	// Username is the login name the source gives for this server, when it gives one.
	Username string `json:"username,omitempty"`
	// UsernameRefused says why the login name the source gave was dropped (a control character, a line
	// break that would inject a command, an overlong name): the server is kept, the name never sent.
	UsernameRefused string `json:"username_refused,omitempty"`
	// Authentication are the login methods the source names for this server, as mail clients label them
	// ("OAuth2 (modern authentication)", "normal password"; autoconfig and ISPDB files only).
	Authentication []string `json:"authentication,omitempty"`
}

// Lookup records one question to one source: where it went, what came back and what it listed.
type Lookup struct {
	// Source is one of the source names above.
	Source string `json:"source"`
	// Domain is the domain asked about: the user's, or the provider's for mx-provider.
	Domain string `json:"domain"`
	// URL is what was fetched (a file path for an --ispdb file tree).
	URL string `json:"url"`
	// Method is the HTTP method (Autodiscover POSTs).
	Method string `json:"method,omitempty"`
	// HTTPStatus is the server's status code, 0 when no answer came.
	HTTPStatus int `json:"http_status,omitempty"`
	// Forgeable is true when the answer came over plain HTTP, through an unauthenticated redirect or SRV
	// record, or from a host a DNS answer chose (the MX provider's own file): see Forgeable.
	Forgeable bool `json:"forgeable,omitempty"`
	// Redirects are the places the answer sent mailcheck on to (HTTP redirects, Autodiscover
	// RedirectAddr/RedirectUrl), in order.
	Redirects []string `json:"redirects,omitempty"`
	// CrossDomain names the registrable domain an Autodiscover redirect led into, when it is not the
	// user's.
	CrossDomain string `json:"cross_domain,omitempty"`
	// Servers are the IMAP, POP3 and SMTP servers the answer lists, in its order.
	Servers []Server `json:"servers,omitempty"`
	// Error says why nothing usable came back (most domains publish no such file: that is no problem).
	Error string `json:"error,omitempty"`
	// StartedMS is when the run asked, in milliseconds from its start (the timeline); TimeMS how long
	// the answer took.
	StartedMS float64 `json:"started_ms"`
	TimeMS    float64 `json:"time_ms"`
}

// Found says whether the lookup listed any server.
func (l Lookup) Found() bool { return len(l.Servers) > 0 }

// Fetcher does the HTTP of every source with mailcheck's own name resolution and trust roots.
type Fetcher struct {
	// Dial connects to host:port; the caller resolves the name (mailcheck's resolver, so fetches see the
	// same DNS as the probes).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Prepare, when set, is called with every host before it is fetched from, in the caller's goroutine
	// (probe starts the host's address lookup there).
	Prepare func(host string)
	// RootCAs are the trusted roots; nil means the system pool.
	RootCAs *x509.CertPool
	// Timeout bounds one fetch: connect, handshake, request and answer, redirects included.
	Timeout time.Duration
}

// answer is one HTTP exchange's outcome.
type answer struct {
	status    int
	body      []byte
	redirects []string
}

// errTooLarge is an answer over MaxBody.
var errTooLarge = fmt.Errorf("the answer is larger than %d KiB", MaxBody>>10)

// fetch does one request. Redirects are followed up to maxRedirects, only to https:// (a redirect from
// http to https is how an http source hands over to a verified one).
func (f *Fetcher) fetch(ctx context.Context, method, rawURL, contentType string, body []byte) (answer, error) {
	return f.do(ctx, method, rawURL, contentType, body, true, MaxBody)
}

// do does one request, following https:// redirects (up to maxRedirects) when follow is set and none
// otherwise, accepting only 200 and reading at most limit bytes of the answer.
func (f *Fetcher) do(ctx context.Context, method, rawURL, contentType string, body []byte, follow bool, limit int64) (answer, error) {
	var out answer
	timeout := f.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	transport := f.transport()
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !follow {
				return fmt.Errorf("it redirects to %s, and a policy fetch follows no redirect", req.URL.Redacted())
			}
			if req.URL.Scheme != "https" || len(via) > maxRedirects {
				return fmt.Errorf("redirect to %s refused: only up to %d redirects to https:// are followed", req.URL.Redacted(), maxRedirects)
			}
			out.redirects = append(out.redirects, req.URL.Redacted())
			if f.Prepare != nil {
				f.Prepare(req.URL.Hostname()) // runs in the fetching goroutine
			}
			return nil
		},
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return out, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", "mailcheck")
	if f.Prepare != nil {
		f.Prepare(req.URL.Hostname())
	}
	resp, err := client.Do(req)
	if err != nil {
		return out, fetchError(ctx, err, timeout)
	}
	defer resp.Body.Close()
	out.status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("HTTP %s", resp.Status)
	}
	out.body, err = readCapped(resp.Body, limit)
	return out, err
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout <= 0 {
		return 10 * time.Second
	}
	return f.Timeout
}

// transport is a fresh transport for one fetch: the caller's dialer and roots, no proxy, no reuse.
func (f *Fetcher) transport() *http.Transport {
	return &http.Transport{
		DialContext:           f.Dial,
		TLSClientConfig:       &tls.Config{RootCAs: f.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   f.timeout(),
		ResponseHeaderTimeout: f.timeout(),
		DisableKeepAlives:     true,
	}
}

// fetchError says why a request got no answer: the time limit, or the cause without the URL (the
// record has it).
func fetchError(ctx context.Context, err error, timeout time.Duration) error {
	if ctx.Err() != nil {
		return fmt.Errorf("no answer within %s", timeout)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// readCapped reads at most limit bytes and fails on more.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		if limit == MaxBody {
			return nil, errTooLarge
		}
		return nil, fmt.Errorf("the answer is larger than %d KiB", limit>>10)
	}
	return b, nil
}

// placeholders fills the %EMAIL...% variables of Thunderbird's format (used by ISPDB files and
// autoconfig files alike).
func placeholders(domain, address string) *strings.Replacer {
	local := ""
	if i := strings.LastIndexByte(address, '@'); i > 0 {
		local = address[:i]
	}
	return strings.NewReplacer("%EMAILDOMAIN%", domain, "%EMAILLOCALPART%", local, "%EMAILADDRESS%", address)
}

// addServer appends a server unless it is invalid, a duplicate or over maxServers.
func addServer(list []Server, s Server) []Server {
	if len(list) >= maxServers || s.Port < 1 || s.Port > 65535 || endpoint.ValidateHost(s.Host) != nil {
		return list
	}
	if s.Username != "" {
		if err := endpoint.ValidUser(s.Username); err != nil {
			s.Username, s.UsernameRefused = "", err.Error()
		}
	}
	for _, o := range list {
		if o.Endpoint == s.Endpoint {
			return list
		}
	}
	return append(list, s)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
