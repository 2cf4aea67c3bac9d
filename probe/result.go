package probe

import (
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
)

// Status is the verdict for an endpoint or a whole run.
type Status string

const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
	// StatusInterrupted is a run the user interrupted (probe.ErrInterrupted): what it holds is partial.
	StatusInterrupted Status = "interrupted"
)

// Problem is one finding, tied to a catalogue entry by its code.
type Problem struct {
	// Code is the stable machine code from the catalogue (see README "Problem codes").
	Code string `json:"code"`
	// Severity is fail, warn or info.
	Severity catalog.Severity `json:"severity"`
	// Summary says what happened here, with names and numbers ("certificate for mail.example.com expired 3 days ago").
	Summary string `json:"summary"`
	// Explanation is the catalogue's plain-language meaning of the code.
	Explanation string `json:"explanation"`
	// Fix is the catalogue's next step.
	Fix string `json:"fix"`
	// ClientErrors are what mail clients show for this failure (Outlook numbers, socket errors), when known.
	ClientErrors []string `json:"client_errors,omitempty"`
	// Detail is the underlying error or the server's own words.
	Detail string `json:"detail,omitempty"`
}

// Timings are measured durations of each step, in milliseconds. A zero value means the step did not run.
type Timings struct {
	ConnectMS  float64 `json:"connect_ms,omitempty"`
	GreetingMS float64 `json:"greeting_ms,omitempty"`
	TLSMS      float64 `json:"tls_ms,omitempty"`
	// CapabilitiesMS is the time the capability requests took (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO),
	// before and after TLS together; an IMAP greeting that lists them costs nothing here.
	CapabilitiesMS float64 `json:"capabilities_ms,omitempty"`
	AuthMS         float64 `json:"auth_ms,omitempty"`
	TotalMS        float64 `json:"total_ms"`
}

// Certificate describes one certificate of the chain the server sent.
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"sans,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// DaysLeft is the whole days until NotAfter (negative once expired).
	DaysLeft int `json:"days_left"`
	// Raw is the certificate as sent (DER), for checks that compare it, such as DANE's TLSA records.
	Raw []byte `json:"-"`
}

// TLSInfo is what the TLS handshake showed.
type TLSInfo struct {
	Version string `json:"version,omitempty"`
	Cipher  string `json:"cipher,omitempty"`
	// Verified is true when the chain is trusted and valid for the host name at the time of the probe.
	Verified bool `json:"verified"`
	// VerifyError is why verification failed.
	VerifyError string `json:"verify_error,omitempty"`
	// Chain is the server's certificates, leaf first.
	Chain []Certificate `json:"chain,omitempty"`
}

// Capabilities are what the server advertised (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO keywords).
type Capabilities struct {
	BeforeTLS []string `json:"before_tls,omitempty"`
	AfterTLS  []string `json:"after_tls,omitempty"`
}

// AuthResult is the outcome of a login test.
type AuthResult struct {
	// Tested is true when credentials were actually sent.
	Tested bool `json:"tested"`
	// OK is true when the server accepted them.
	OK bool `json:"ok"`
	// Mechanism is the method used (PLAIN, LOGIN, USER, XOAUTH2, OAUTHBEARER).
	Mechanism string `json:"mechanism,omitempty"`
	// User is the login name used (never the password).
	User string `json:"user,omitempty"`
	// Problem is why it failed or was not tested.
	Problem *Problem `json:"problem,omitempty"`
	// OAuthError is the server's decoded error challenge when it refused an OAuth2 access token.
	OAuthError *OAuthError `json:"oauth_error,omitempty"`
	// SameAs names the endpoint where this server's login was tested instead (one test per server and
	// protocol); OK and Problem are that test's.
	SameAs string `json:"same_as,omitempty"`
	// SharedBy are the other endpoints of the same server (address and protocol) that this test stands
	// for: they point at it with same_as, or were not tried because it gave no verdict.
	SharedBy []string `json:"shared_by,omitempty"`
	// StartedMS is when the login test began, in milliseconds from the run's start (0 when it was not
	// tried); it took timings.auth_ms.
	StartedMS float64 `json:"started_ms,omitempty"`
	// sent is true once a connection carried the credentials (or was ready to): the server may have
	// counted the attempt.
	sent bool
	// started is when the login test began (StartedMS is computed from it once the run ends).
	started time.Time
}

// Result is everything learned about one endpoint, filled as far as the probe got.
type Result struct {
	Endpoint
	// Address is the IP address that was dialled.
	Address string `json:"address,omitempty"`
	// Source says how the endpoint was found: explicit, autoconfig, srv, autodiscover, ispdb, mx-provider,
	// guess, cert_name, mx, autoconfig-http, autodiscover-redirected. When several sources name it, this is
	// the most authoritative one (in that order).
	Source string `json:"source"`
	// Sources are every source that named the endpoint, most authoritative first.
	Sources []string `json:"sources,omitempty"`
	// Username is the login name a discovery source gives for this endpoint, when one does.
	Username string `json:"username,omitempty"`
	// Unoffered marks an endpoint that is only a guess nothing answers: every problem is a refused
	// connection, on a name neither the user nor an SRV record gave. That is the normal sign of a service
	// not offered there, not a finding to explain: the text report folds these endpoints into one line and
	// leaves their problems out; the JSON keeps them, flagged. Decided by probe (unoffered), read by report.
	Unoffered bool `json:"unoffered,omitempty"`
	// order is the endpoint's place in its source (SRV priority and weight, autoconfig order).
	order  [2]int
	Status Status `json:"status"`
	// Greeting is the server's first line(s).
	Greeting string `json:"greeting,omitempty"`
	// STARTTLS is true when the connection was upgraded with STARTTLS/STLS.
	STARTTLS     bool         `json:"starttls,omitempty"`
	TLS          *TLSInfo     `json:"tls,omitempty"`
	Capabilities Capabilities `json:"capabilities"`
	// AuthMechanisms are the login methods offered on the connection as the client would use it.
	AuthMechanisms []string `json:"auth_mechanisms,omitempty"`
	// PlaintextLogin says whether a password login was possible before TLS: "offered", "refused", or "" when
	// the connection never ran without TLS. Behaviour decides over claims: when the capabilities offer it,
	// a login is started without credentials and cancelled, and a server that refuses to start it is
	// "refused".
	PlaintextLogin string      `json:"plaintext_login,omitempty"`
	Auth           *AuthResult `json:"auth,omitempty"`
	// StartedMS is when the connection was begun, in milliseconds from the run's start (the timeline);
	// the steps follow in the order of timings (connect, TLS, greeting, capabilities, STARTTLS).
	StartedMS float64   `json:"started_ms"`
	Timings   Timings   `json:"timings"`
	Problems  []Problem `json:"problems"`
	// Transcript is the protocol exchange (with -v), secrets redacted.
	Transcript []string `json:"transcript,omitempty"`
	// started is when the connection was begun (StartedMS is computed from it once the run ends).
	started time.Time
}

// DNSQuery records one DNS question and its outcome.
type DNSQuery struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Rcode is the DNS response code (NOERROR, NXDOMAIN, SERVFAIL, ...), empty when no answer came.
	Rcode   string   `json:"rcode,omitempty"`
	Answers []string `json:"answers,omitempty"`
	// Problem is set when the query failed.
	Problem *Problem `json:"problem,omitempty"`
	// StartedMS is when the run asked, in milliseconds from its start (the timeline).
	StartedMS float64 `json:"started_ms"`
	TimeMS    float64 `json:"time_ms"`
}

// Setting is a recommended configuration for a mail client.
type Setting struct {
	Protocol Protocol `json:"protocol"`
	Server   string   `json:"server"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	// Source is where the setting comes from, the source it was ranked by (see Result.Source and README
	// "How the settings are chosen").
	Source string `json:"source"`
	// Sources are every source that named the server, most authoritative first.
	Sources []string `json:"sources,omitempty"`
	// SecurityLabel is the security mode as mail clients label it (SSL/TLS, STARTTLS, None).
	SecurityLabel string `json:"security_label"`
	// RequiresAuth is true when the server offers or demands a login (outgoing: "My server requires authentication").
	RequiresAuth bool `json:"requires_auth"`
	// Username is the login name to type, when known: the one the login test used, else the one the
	// setting's source gives, else the address.
	Username string `json:"username,omitempty"`
	// Provider is the registrable domain of a server outside the user's domain that a provider source
	// (ISPDB, MX provider, Autodiscover) named: the provider's settings, not the domain's own.
	Provider string `json:"provider,omitempty"`
	// Warning is set when no source that vouches for hosts outside the domain named the server (only DNS
	// answers, or a file they led to): it says to confirm the server before typing the password there
	// (settings_unconfirmed). mailcheck itself sends it no secret.
	Warning string `json:"warning,omitempty"`
	// LoginVerified is true when mailcheck logged in successfully with these settings.
	LoginVerified bool `json:"login_verified"`
	// Authentication are the login methods the domain's autoconfig file names for this server, as mail
	// clients label them ("OAuth2 (modern authentication)", "normal password").
	Authentication []string `json:"authentication,omitempty"`
	// LoginMechanism is the login method the test used (PLAIN, XOAUTH2, ...).
	LoginMechanism string `json:"login_mechanism,omitempty"`
	// LoginProblem is the problem code of a login test that failed with these settings.
	LoginProblem string `json:"login_problem,omitempty"`
}

// Settings are the recommended incoming and outgoing configurations; nil when none works.
type Settings struct {
	Incoming *Setting `json:"incoming"`
	Outgoing *Setting `json:"outgoing"`
}

// Report is the result of a whole probe run.
type Report struct {
	// SchemaVersion changes only when a field changes meaning or disappears.
	SchemaVersion int `json:"schema_version"`
	// Target is what the user asked for (address, domain, or endpoint URLs).
	Target string `json:"target"`
	Domain string `json:"domain,omitempty"`
	// Status is fail when no working setting was found, warn when something needs attention, ok otherwise.
	Status     Status     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	DurationMS float64    `json:"duration_ms"`
	DNS        []DNSQuery `json:"dns,omitempty"`
	// Autoconfig are the domain's own mail client configuration files fetched over HTTPS (also in Discovery).
	Autoconfig []AutoconfigLookup `json:"autoconfig,omitempty"`
	// Discovery records every source asked (autoconfig over https and http, ISPDB, the MX provider,
	// Autodiscover): where, the answer's status, what it listed and how long it took.
	Discovery []discover.Lookup `json:"discovery,omitempty"`
	Endpoints []Result          `json:"endpoints"`
	Settings  Settings          `json:"settings"`
	// Problems are findings about the domain as a whole (no mail servers, a service not offered).
	Problems []Problem `json:"problems"`
}

// SchemaVersion of Report.
const SchemaVersion = 1

// Title is the catalogue's short name for the problem.
func (p Problem) Title() string {
	if e, ok := catalog.Lookup(p.Code); ok {
		return e.Title
	}
	return p.Code
}
