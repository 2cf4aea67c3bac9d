package discover

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// web is a test world: one HTTPS and one HTTP server on loopback, answering for every name by the
// request's host and path. The httptest certificate is valid for example.com and *.example.com.
type web struct {
	fetcher *Fetcher
	mu      sync.Mutex
	// posts are the bodies POSTed, by host+path.
	posts map[string]string
}

func newWeb(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *web {
	t.Helper()
	wb := &web{posts: map[string]string{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
			wb.mu.Lock()
			wb.posts[r.Host+r.URL.Path] = string(b)
			wb.mu.Unlock()
		}
		handle(w, r)
	})
	tlsSrv := httptest.NewUnstartedServer(h)
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	tlsSrv.StartTLS()
	plain := httptest.NewServer(h)
	t.Cleanup(tlsSrv.Close)
	t.Cleanup(plain.Close)
	roots := tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	wb.fetcher = &Fetcher{
		RootCAs: roots,
		Timeout: 5 * time.Second,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, _ := net.SplitHostPort(addr)
			target := plain.Listener.Addr().String()
			if port == "443" {
				target = tlsSrv.Listener.Addr().String()
			}
			var d net.Dialer
			return d.DialContext(ctx, network, target)
		},
	}
	return wb
}

const gmailLike = `<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
    </incomingServer>
    <incomingServer type="exchange"><hostname>ews.example.com</hostname><port>443</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="imap"><hostname>bad host</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="imap"><hostname>imap.example.com</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%REALNAME%</username>
    </outgoingServer>
    <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
  </emailProvider>
</clientConfig>`

func TestParseConfig(t *testing.T) {
	got, err := ParseConfig([]byte(gmailLike), "example.com", "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := []Server{
		{Endpoint: endpoint.Endpoint{Protocol: endpoint.IMAP, Host: "imap.example.com", Port: 993, Security: endpoint.TLS}, Username: "bob@example.com"},
		{Endpoint: endpoint.Endpoint{Protocol: endpoint.POP3, Host: "pop.example.com", Port: 995, Security: endpoint.TLS}, Username: "bob"},
		{Endpoint: endpoint.Endpoint{Protocol: endpoint.SMTP, Host: "smtp.example.com", Port: 587, Security: endpoint.STARTTLS}, Username: ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Endpoint != want[i].Endpoint || got[i].Username != want[i].Username {
			t.Errorf("server %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"<html>not found</html>", "{json}", `<clientConfig><emailProvider></emailProvider></clientConfig>`, "<clientConfig><emailProvider>"} {
		if _, err := ParseConfig([]byte(bad), "example.com", ""); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseConfigCapsServers(t *testing.T) {
	var b strings.Builder
	b.WriteString("<clientConfig><emailProvider>")
	for i := 0; i < 1000; i++ {
		b.WriteString("<incomingServer type=\"imap\"><hostname>h" + strings.Repeat("x", i%50) + ".example.com</hostname><port>" + strconv.Itoa(1+i) + "</port><socketType>SSL</socketType></incomingServer>")
	}
	b.WriteString("</emailProvider></clientConfig>")
	got, err := ParseConfig([]byte(b.String()), "example.com", "")
	if err != nil || len(got) != maxServers {
		t.Fatalf("%d servers, %v; want %d", len(got), err, maxServers)
	}
}

func TestAutoconfigSources(t *testing.T) {
	wb := newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.TLS != nil && r.Host == "autoconfig.example.com" && r.URL.Path == "/mail/config-v1.1.xml":
			if r.URL.Query().Get("emailaddress") != "bob@example.com" {
				http.Error(w, "no address", http.StatusBadRequest)
				return
			}
			io.WriteString(w, gmailLike)
		case r.TLS != nil && r.Host == "example.com":
			io.WriteString(w, strings.Repeat("<a>", MaxBody)) // oversized
		case r.TLS == nil && r.Host == "autoconfig.example.com":
			io.WriteString(w, "<clientConfig><emailProvider><incomingServer type=\"imap\">") // malformed
		case r.TLS == nil && r.Host == "example.com":
			http.Redirect(w, r, "https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=bob%40example.com", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	})
	attempts := AutoconfigURLs("example.com", "bob@example.com")
	if len(attempts) != 4 || attempts[0].Source != Autoconfig || attempts[2].Source != AutoconfigHTTP || !strings.HasPrefix(attempts[3].URL, "http://example.com/.well-known/") {
		t.Fatalf("attempts %+v", attempts)
	}
	got := map[string]Lookup{}
	for _, a := range attempts {
		got[a.URL] = wb.fetcher.FetchConfig(context.Background(), a, "example.com", "bob@example.com")
	}
	if l := got[attempts[0].URL]; l.HTTPStatus != 200 || len(l.Servers) != 3 || l.Error != "" || l.Forgeable || l.TimeMS <= 0 {
		t.Errorf("https autoconfig: %+v", l)
	}
	if l := got[attempts[1].URL]; l.Error != errTooLarge.Error() || l.Found() {
		t.Errorf("oversized answer: %+v", l)
	}
	if l := got[attempts[2].URL]; !strings.Contains(l.Error, "not a mail client configuration file") || !l.Forgeable {
		t.Errorf("malformed answer over http: %+v", l)
	}
	if l := got[attempts[3].URL]; len(l.Servers) != 3 || !l.Forgeable || len(l.Redirects) != 1 {
		t.Errorf("http redirected to https: %+v (still forgeable: the redirect came in clear text)", l)
	}
}

func TestFetchRefusesRedirectToHTTPAndUnverifiedCertificates(t *testing.T) {
	wb := newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://autoconfig.example.com/elsewhere", http.StatusFound)
	})
	l := wb.fetcher.FetchConfig(context.Background(), Attempt{Autoconfig, "example.com", "https://autoconfig.example.com/mail/config-v1.1.xml"}, "example.com", "")
	if !strings.Contains(l.Error, "redirect to http://autoconfig.example.com/elsewhere refused") {
		t.Errorf("redirect to http: %+v", l)
	}
	// A name the certificate does not cover.
	l = wb.fetcher.FetchConfig(context.Background(), Attempt{Autoconfig, "example.net", "https://autoconfig.example.net/mail/config-v1.1.xml"}, "example.net", "")
	if !strings.Contains(l.Error, "certificate") {
		t.Errorf("wrong-host certificate accepted: %+v", l)
	}
}

func TestHangingSourceCostsOneTimeout(t *testing.T) {
	release := make(chan struct{})
	wb := newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the run's deadline has passed: the fetch must end now, not when the server answers
	l := wb.fetcher.FetchConfig(ctx, AutoconfigURLs("example.com", "")[0], "example.com", "")
	if l.Error == "" {
		t.Errorf("a fetch past its deadline succeeded: %+v", l)
	}
}

func TestISPDBFileTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "example.com.xml"), []byte(gmailLike), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.example"), []byte("<clientConfig>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "huge.example.xml"), []byte(strings.Repeat(" ", MaxBody+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var f Fetcher
	l := f.ISPDB(context.Background(), ISPDBAttempt(ISPDB, dir, "example.com"), "example.com", "bob@example.com")
	if len(l.Servers) != 3 || l.Error != "" {
		t.Errorf("file tree: %+v", l)
	}
	l = f.ISPDB(context.Background(), ISPDBAttempt(ISPDB, dir, "broken.example"), "broken.example", "")
	if !strings.HasSuffix(l.URL, "broken.example") || !strings.Contains(l.Error, "not a mail client configuration file") {
		t.Errorf("malformed entry (file without .xml): %+v", l)
	}
	l = f.ISPDB(context.Background(), ISPDBAttempt(ISPDB, dir, "huge.example"), "huge.example", "")
	if l.Error != errTooLarge.Error() {
		t.Errorf("oversized entry: %+v", l)
	}
	alias := `<clientConfig><emailProvider id="m365.example"><domain>m365.example</domain><domain>mail.protection.hoster.example</domain>
<incomingServer type="imap"><hostname>outlook.hoster.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`
	if err := os.WriteFile(filepath.Join(dir, "m365.example.xml"), []byte(alias), 0o644); err != nil {
		t.Fatal(err)
	}
	l = f.ISPDB(context.Background(), ISPDBAttempt(Provider, dir, "mail.protection.hoster.example"), "customer.example", "")
	if !strings.HasSuffix(l.URL, "m365.example.xml") || len(l.Servers) != 1 {
		t.Errorf("a domain named by another file's <domain>: %+v", l)
	}
	l = f.ISPDB(context.Background(), ISPDBAttempt(ISPDB, dir, "none.example"), "none.example", "")
	if l.Error != "the ISPDB has no entry for none.example" {
		t.Errorf("missing entry: %+v", l)
	}
}

func TestISPDBMirror(t *testing.T) {
	wb := newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "ispdb.example.com" && r.URL.Path == "/v1.1/customer.example" {
			io.WriteString(w, gmailLike)
			return
		}
		http.NotFound(w, r)
	})
	a := ISPDBAttempt(ISPDB, "https://ispdb.example.com/v1.1", "customer.example")
	if a.URL != "https://ispdb.example.com/v1.1/customer.example" {
		t.Fatalf("URL %s", a.URL)
	}
	if l := wb.fetcher.ISPDB(context.Background(), a, "customer.example", ""); len(l.Servers) != 3 {
		t.Errorf("mirror: %+v", l)
	}
	if l := wb.fetcher.ISPDB(context.Background(), ISPDBAttempt(ISPDB, "https://ispdb.example.com/v1.1/", "other.example"), "other.example", ""); l.HTTPStatus != 404 || l.Error == "" {
		t.Errorf("missing entry: %+v", l)
	}
}

func TestProviderDomains(t *testing.T) {
	cases := map[[2]string][]string{
		{"aspmx.l.google.com.", "customer.example"}:                          {"l.google.com", "google.com"},
		{"customer-example.mail.protection.outlook.com", "customer.example"}: {"mail.protection.outlook.com", "outlook.com"},
		{"mx1.incoming.servers.hoster.example", "a.example"}:                 {"incoming.servers.hoster.example", "hoster.example"},
		{"mx.provider.test", "customer.test"}:                                {"provider.test"},
		{"mx.example.co.uk", "shop.example.co.uk"}:                           {"example.co.uk"},
		{"mx.mail.example.com", "example.com"}:                               {},
		{"mx.shop.example.com", "mail.shop.example.com"}:                     {"shop.example.com", "example.com"},
		{"mx.sandbox.test", "sandbox.test"}:                                  {},
		{"mx1.eu.mailhost.example", "a.example"}:                             {"eu.mailhost.example", "mailhost.example"},
	}
	for in, want := range cases {
		got := ProviderDomains(in[0], in[1])
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("ProviderDomains(%s, %s) = %v, want %v", in[0], in[1], got, want)
		}
	}
	if got := ProviderDomains("localhost", "a.example"); len(got) != 0 {
		t.Errorf("a single-label host: %v", got)
	}
}

const autodiscoverSettings = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol><Type>EXCH</Type><Server>ex.example.com</Server></Protocol>
      <Protocol><Type>IMAP</Type><Server>outlook.example.com</Server><Port>993</Port><SSL>on</SSL><SPA>off</SPA><AuthRequired>on</AuthRequired></Protocol>
      <Protocol><Type>POP3</Type><Server>outlook.example.com</Server><Port>110</Port><SSL>on</SSL><LoginName>bob.pop</LoginName></Protocol>
      <Protocol><Type>SMTP</Type><Server>smtp.example.com</Server><Port>587</Port><Encryption>TLS</Encryption><LoginName>%EMAILLOCALPART%</LoginName></Protocol>
      <Protocol><Type>SMTP</Type><Server>smtp.example.com</Server><Port>25</Port><SSL>off</SSL></Protocol>
    </Account>
  </Response>
</Autodiscover>`

func redirectAddr(to string) string {
	return `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>` + to + `</RedirectAddr></Account></Response></Autodiscover>`
}

func TestAutodiscover(t *testing.T) {
	var wb *web
	wb = newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		wb.mu.Lock()
		body := wb.posts[r.Host+r.URL.Path]
		wb.mu.Unlock()
		if r.Method == http.MethodPost && r.Header.Get("Authorization") != "" {
			http.Error(w, "credentials sent", http.StatusTeapot)
			return
		}
		switch {
		case r.Host == "autodiscover.example.com" && r.TLS == nil && r.Method == http.MethodGet:
			http.Redirect(w, r, "https://hoster.example.com/autodiscover/autodiscover.xml", http.StatusFound)
		case r.Host == "hoster.example.com" && r.Method == http.MethodPost:
			io.WriteString(w, autodiscoverSettings)
		case r.Host == "autodiscover.example.com" && strings.Contains(body, "<EMailAddress>bob@"):
			io.WriteString(w, redirectAddr("carol@example.com"))
		case r.Host == "autodiscover.example.com" && strings.Contains(body, "<EMailAddress>carol@"):
			io.WriteString(w, redirectAddr("dave@example.com"))
		case r.Host == "autodiscover.example.com" && strings.Contains(body, "<EMailAddress>dave@"):
			io.WriteString(w, autodiscoverSettings)
		case r.Host == "example.com" && r.Method == http.MethodPost:
			http.Error(w, "login first", http.StatusUnauthorized)
		case strings.Contains(body, "<EMailAddress>loop@"):
			io.WriteString(w, redirectAddr("loop@example.com"))
		case r.Host == "big.example.com":
			io.WriteString(w, "<Autodiscover>"+strings.Repeat(" ", MaxBody)+"</Autodiscover>")
		case r.Host == "bad.example.com":
			io.WriteString(w, "<Autodiscover><Response><Account>")
		default:
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()
	attempts := AutodiscoverURLs("example.com")
	if attempts[0].URL != "https://autodiscover.example.com/autodiscover/autodiscover.xml" || attempts[1].URL != "https://example.com/autodiscover/autodiscover.xml" || attempts[2].URL != "http://autodiscover.example.com/autodiscover/autodiscover.xml" {
		t.Fatalf("attempts %+v", attempts)
	}

	// Two RedirectAddr hops, then settings.
	l := wb.fetcher.Autodiscover(ctx, attempts[0], "bob@example.com")
	if len(l.Servers) != 4 || len(l.Redirects) != 2 || l.Error != "" {
		t.Fatalf("redirected twice: %+v", l)
	}
	want := []Server{
		{Endpoint: endpoint.Endpoint{Protocol: endpoint.IMAP, Host: "outlook.example.com", Port: 993, Security: endpoint.TLS}, Username: "bob@example.com"},
		{Endpoint: endpoint.Endpoint{Protocol: endpoint.POP3, Host: "outlook.example.com", Port: 110, Security: endpoint.STARTTLS}, Username: "bob.pop"},
		{Endpoint: endpoint.Endpoint{Protocol: endpoint.SMTP, Host: "smtp.example.com", Port: 587, Security: endpoint.STARTTLS}, Username: "bob"},
		{Endpoint: endpoint.Endpoint{Protocol: endpoint.SMTP, Host: "smtp.example.com", Port: 25, Security: endpoint.Plain}, Username: "bob@example.com"},
	}
	for i := range want {
		if l.Servers[i].Endpoint != want[i].Endpoint || l.Servers[i].Username != want[i].Username {
			t.Errorf("server %d: %+v, want %+v", i, l.Servers[i], want[i])
		}
	}
	wb.mu.Lock()
	body := wb.posts["autodiscover.example.com/autodiscover/autodiscover.xml"]
	wb.mu.Unlock()
	if !strings.Contains(body, "<EMailAddress>dave@example.com</EMailAddress>") || !strings.Contains(body, "responseschema/2006a") {
		t.Errorf("request body %q", body)
	}

	if l := wb.fetcher.Autodiscover(ctx, attempts[1], "bob@example.com"); l.HTTPStatus != 401 || !strings.Contains(l.Error, "sends no credentials") {
		t.Errorf("401: %+v", l)
	}
	l = wb.fetcher.Autodiscover(ctx, attempts[2], "bob@example.com")
	if len(l.Servers) != 4 || !l.Forgeable || l.Method != http.MethodGet || l.Redirects[0] != "https://hoster.example.com/autodiscover/autodiscover.xml" {
		t.Errorf("http GET then https POST: %+v", l)
	}
	if l := wb.fetcher.Autodiscover(ctx, attempts[0], "loop@example.com"); !strings.Contains(l.Error, "more than 2 Autodiscover redirects") {
		t.Errorf("redirect loop: %+v", l)
	}
	if l := wb.fetcher.Autodiscover(ctx, AutodiscoverSRV("example.com", "big.example.com"), "bob@example.com"); l.Error != errTooLarge.Error() {
		t.Errorf("oversized answer: %+v", l)
	}
	if l := wb.fetcher.Autodiscover(ctx, AutodiscoverSRV("example.com", "bad.example.com."), "bob@example.com"); !strings.Contains(l.Error, "not an Autodiscover answer") || !l.Forgeable {
		t.Errorf("malformed answer from an SRV target: %+v", l)
	}
}

func TestAutodiscoverCrossDomainRedirect(t *testing.T) {
	wb := newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<Autodiscover><Response><Account><Action>redirectUrl</Action><RedirectUrl>https://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectUrl></Account></Response></Autodiscover>`)
	})
	l := wb.fetcher.Autodiscover(context.Background(), AutodiscoverURLs("example.com")[0], "bob@example.com")
	if l.CrossDomain != "example.net" || l.Error == "" {
		t.Errorf("cross-domain redirect (to a name the certificate does not cover): %+v", l)
	}
}

func TestCandidates(t *testing.T) {
	imap := endpoint.Endpoint{Protocol: endpoint.IMAP, Host: "imap.example.com", Port: 993, Security: endpoint.TLS}
	evil := endpoint.Endpoint{Protocol: endpoint.IMAP, Host: "evil.example.net", Port: 993, Security: endpoint.TLS}
	got := Candidates([]Lookup{
		{Source: AutoconfigHTTP, Servers: []Server{{Endpoint: imap}, {Endpoint: evil}}},
		{Source: ISPDB, Servers: []Server{{Endpoint: imap, Username: "bob"}}},
	})
	if len(got) != 2 || strings.Join(got[0].Sources, ",") != "autoconfig-http,ispdb" || got[0].Username != "bob" || !got[0].Trusted() || got[1].Trusted() {
		t.Errorf("candidates %+v", got)
	}
}

func TestFetchCapsRedirects(t *testing.T) {
	hops := 0
	var mu sync.Mutex
	wb := newWeb(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hops++
		n := hops
		mu.Unlock()
		http.Redirect(w, r, "https://autoconfig.example.com/hop/"+strconv.Itoa(n), http.StatusFound)
	})
	l := wb.fetcher.FetchConfig(context.Background(), AutoconfigURLs("example.com", "")[0], "example.com", "")
	if !strings.Contains(l.Error, "only up to 3 redirects") || len(l.Redirects) != maxRedirects {
		t.Errorf("endless redirects: %+v", l)
	}
	mu.Lock()
	defer mu.Unlock()
	if hops != maxRedirects+1 {
		t.Errorf("%d requests, want %d", hops, maxRedirects+1)
	}
}
