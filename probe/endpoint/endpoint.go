// Package endpoint holds what every part of mailcheck shares about a place to probe: the protocol,
// the security mode, the one table of standard ports, and the parsing of endpoint URLs and targets.
package endpoint

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// Protocol is a mail protocol.
type Protocol string

const (
	IMAP Protocol = "imap"
	POP3 Protocol = "pop3"
	SMTP Protocol = "smtp"
)

// Name is the protocol as people write it: IMAP, POP3, SMTP.
func (p Protocol) Name() string { return strings.ToUpper(string(p)) }

// ProtocolNamed reads a protocol's name as configuration files write it ("imap", "IMAP", "pop3",
// "smtp"); anything else (Exchange's EXCH, a JMAP entry) is no protocol mailcheck probes.
func ProtocolNamed(name string) (Protocol, bool) {
	p := Protocol(strings.ToLower(strings.TrimSpace(name)))
	if _, ok := TraitsOf(p); !ok {
		return "", false
	}
	return p, true
}

// ErrUnknownProtocol is the error of every step asked to speak a protocol that has no row in Protocols:
// it is refused, never treated like one of the known ones.
var ErrUnknownProtocol = errors.New("unknown protocol")

// Traits are what mailcheck knows about a protocol beyond its conversation (which is probe/session's):
// one row each in Protocols, so that a protocol is never a missing case of a switch.
type Traits struct {
	Protocol Protocol
	// Outgoing: the protocol sends mail (SMTP submission); the others read it (incoming).
	Outgoing bool
	// GuessLabels are the first labels of the host names mail clients guess for the protocol, in
	// Thunderbird's guess order (imap.DOMAIN, pop.DOMAIN...); mail.DOMAIN and the domain itself are guessed
	// for every protocol.
	GuessLabels []string
	// ClientScheme is the scheme (Services) of the port providers document for mail clients, tested when a
	// pasted error names neither a port nor the security.
	ClientScheme string
	// OAuthScopes are the scopes an Exchange Online token needs for the protocol, without the
	// https://outlook.office.com/ prefix.
	OAuthScopes []string
}

// Protocols is every protocol mailcheck speaks, in the order reports list them (incoming first).
var Protocols = []Traits{
	{Protocol: IMAP, GuessLabels: []string{"imap"}, ClientScheme: "imaps", OAuthScopes: []string{"IMAP.AccessAsUser.All"}},
	{Protocol: POP3, GuessLabels: []string{"pop", "pop3"}, ClientScheme: "pop3s", OAuthScopes: []string{"POP.AccessAsUser.All"}},
	{Protocol: SMTP, Outgoing: true, GuessLabels: []string{"smtp"}, ClientScheme: "submission", OAuthScopes: []string{"SMTP.Send"}},
}

// TraitsOf returns a protocol's row in Protocols, and false for a protocol mailcheck does not speak.
func TraitsOf(p Protocol) (Traits, bool) {
	for _, t := range Protocols {
		if t.Protocol == p {
			return t, true
		}
	}
	return Traits{}, false
}

// Incoming says whether the protocol reads mail (IMAP, POP3). An unknown protocol is neither incoming nor
// outgoing.
func (p Protocol) Incoming() bool {
	t, ok := TraitsOf(p)
	return ok && !t.Outgoing
}

// Outgoing says whether the protocol sends mail (SMTP).
func (p Protocol) Outgoing() bool {
	t, ok := TraitsOf(p)
	return ok && t.Outgoing
}

// Rank is the protocol's place in Protocols, the order reports list endpoints in; an unknown protocol
// comes last.
func (p Protocol) Rank() int {
	for i, t := range Protocols {
		if t.Protocol == p {
			return i
		}
	}
	return len(Protocols)
}

// Security is how a connection is protected.
type Security string

const (
	// Plain is a clear-text connection that may be upgraded with STARTTLS (IMAP/SMTP) or STLS (POP3).
	Plain Security = "plain"
	// STARTTLS is a clear-text connection upgraded to TLS before anything else is sent (RFC 2595, RFC 3207).
	STARTTLS Security = "starttls"
	// TLS is implicit TLS from the first byte (RFC 8314).
	TLS Security = "tls"
)

// Label is how mail clients name the security mode.
func (s Security) Label() string {
	switch s {
	case TLS:
		return "SSL/TLS"
	case STARTTLS:
		return "STARTTLS"
	default:
		return "None"
	}
}

// Service is one standard (protocol, port, security) combination, as a URL scheme names it.
type Service struct {
	Scheme   string
	Protocol Protocol
	Port     int
	Security Security
	// SRV is the RFC 6186 / RFC 8314 service label for this combination ("_imaps._tcp").
	SRV string
}

// Services is the one table of standard ports (RFC 6186 section 3, RFC 8314 section 7).
var Services = []Service{
	{"imaps", IMAP, 993, TLS, "_imaps._tcp"},
	{"imap", IMAP, 143, STARTTLS, "_imap._tcp"},
	{"pop3s", POP3, 995, TLS, "_pop3s._tcp"},
	{"pop3", POP3, 110, STARTTLS, "_pop3._tcp"},
	{"submissions", SMTP, 465, TLS, "_submissions._tcp"},
	{"submission", SMTP, 587, STARTTLS, "_submission._tcp"},
	{"smtp", SMTP, 25, STARTTLS, ""},
}

// schemeAliases are accepted spellings of the schemes above.
var schemeAliases = map[string]string{"smtps": "submissions", "pop": "pop3", "pops": "pop3s"}

// ServiceByScheme finds a standard service by its URL scheme.
func ServiceByScheme(scheme string) (Service, bool) {
	scheme = strings.ToLower(scheme)
	if a, ok := schemeAliases[scheme]; ok {
		scheme = a
	}
	for _, s := range Services {
		if s.Scheme == scheme {
			return s, true
		}
	}
	return Service{}, false
}

// Endpoint is one place to probe: a protocol spoken on host:port with a security mode.
type Endpoint struct {
	Protocol Protocol `json:"protocol"`
	// Host is the server name as a user would type it; certificates are verified against it.
	Host string `json:"host"`
	Port int    `json:"port"`
	// Security is the mode the client uses.
	Security Security `json:"security"`
}

func (e Endpoint) String() string {
	return fmt.Sprintf("%s %s (%s)", e.Protocol, net.JoinHostPort(e.Host, strconv.Itoa(e.Port)), e.Security.Label())
}

// URL renders the endpoint as the scheme://host:port form ParseEndpoint accepts. The scheme carries the
// security mode (imaps vs imap); a plain endpoint reads back as STARTTLS, the only clear-text mode a URL
// names (use --starttls=no to probe it in clear text).
func (e Endpoint) URL() string {
	var scheme string
	switch {
	case e.Security == TLS && e.Protocol == SMTP:
		scheme = "submissions"
	case e.Security == TLS:
		scheme = string(e.Protocol) + "s"
	case e.Protocol == SMTP && e.Port == 25:
		scheme = "smtp"
	case e.Protocol == SMTP:
		scheme = "submission"
	default:
		scheme = string(e.Protocol)
	}
	return scheme + "://" + net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
}

// ParseEndpoint reads "imaps://mail.example.com:993" (port optional). Errors are one line, for users.
func ParseEndpoint(raw string) (Endpoint, error) {
	if err := ValidTarget(raw); err != nil {
		return Endpoint{}, err
	}
	if !strings.Contains(raw, "://") {
		return Endpoint{}, fmt.Errorf("%q is not an endpoint URL: write it as scheme://host[:port], e.g. imaps://mail.example.com:993", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%q is not a valid URL", raw)
	}
	svc, ok := ServiceByScheme(u.Scheme)
	if !ok {
		return Endpoint{}, fmt.Errorf("unknown scheme %q in %q: use imap, imaps, pop3, pop3s, smtp, submission, submissions or smtps", u.Scheme, raw)
	}
	if u.User != nil {
		return Endpoint{}, fmt.Errorf("%q contains a user name or password: pass the user with --user and the password through MAILCHECK_PASSWORD or --password-file", redactURL(u))
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, fmt.Errorf("%q has a path or query: an endpoint is only scheme://host[:port]", raw)
	}
	host, err := toASCII(u.Hostname())
	if err != nil {
		return Endpoint{}, fmt.Errorf("%q: %v", raw, err)
	}
	if err := ValidateHost(host); err != nil {
		return Endpoint{}, fmt.Errorf("%q: %v", raw, err)
	}
	port := svc.Port
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Endpoint{}, fmt.Errorf("port %q in %q is out of range (1-65535)", p, raw)
		}
		port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return Endpoint{}, fmt.Errorf("%q has an empty port", raw)
	}
	return Endpoint{Protocol: svc.Protocol, Host: strings.ToLower(host), Port: port, Security: svc.Security}, nil
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = url.User("REDACTED")
	return c.Redacted()
}

// ValidateHost checks a host name or IP literal before it goes to DNS.
func ValidateHost(host string) error {
	if host == "" {
		return fmt.Errorf("the server name is empty")
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if len(host) > 253 {
		return fmt.Errorf("server name %q is longer than 253 characters", host)
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" {
			return fmt.Errorf("server name %q has an empty label (two dots in a row)", host)
		}
		if len(label) > 63 {
			return fmt.Errorf("server name %q has a label longer than 63 characters", host)
		}
		for _, r := range label {
			if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("server name %q contains %q, which is not allowed in a host name", host, r)
			}
		}
		if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("server name %q has a label that starts or ends with '-'", host)
		}
	}
	return nil
}

// ParseTarget reads what the user wants probed: an e-mail address or a domain.
// It returns the domain and the address (empty when a domain was given).
func ParseTarget(s string) (domain, address string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", fmt.Errorf("nothing to probe: give an e-mail address, a domain or an endpoint URL")
	}
	if err := ValidTarget(s); err != nil {
		return "", "", err
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		local, dom := s[:i], s[i+1:]
		if local == "" {
			return "", "", fmt.Errorf("%q has nothing before the @", s)
		}
		if strings.ContainsAny(local, " \t<>()[],;:\"") || strings.Contains(local, "@") {
			return "", "", fmt.Errorf("%q is not a valid e-mail address: the part before @ contains a space or one of <>()[],;:\"@", s)
		}
		if dom == "" {
			return "", "", fmt.Errorf("%q has no domain after the @", s)
		}
		if len(local) > MaxLocalPart {
			return "", "", ValidAddress(s) // RFC 5321 section 4.5.3.1.1
		}
		var err error
		if dom, err = toASCII(dom); err != nil {
			return "", "", fmt.Errorf("%q is not a valid e-mail address: %v", s, err)
		}
		if err := validateDomain(dom); err != nil {
			return "", "", fmt.Errorf("%q is not a valid e-mail address: %v", s, err)
		}
		return strings.ToLower(strings.TrimSuffix(dom, ".")), s, nil
	}
	ascii, err := toASCII(s)
	if err != nil {
		return "", "", err
	}
	if err := validateDomain(ascii); err != nil {
		return "", "", err
	}
	return strings.ToLower(strings.TrimSuffix(ascii, ".")), "", nil
}

// toASCII turns an internationalised host name (münchen.de) into the form DNS and certificates use
// (xn--mnchen-3ya.de), as mail clients do (RFC 5890, IDNA 2008 lookup rules).
func toASCII(host string) (string, error) {
	ascii := true
	for _, r := range host {
		if r > 127 {
			ascii = false
			break
		}
	}
	if ascii {
		return host, nil
	}
	a, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("%q is not a valid internationalised host name: %v", host, err)
	}
	return a, nil
}

func validateDomain(d string) error {
	if net.ParseIP(d) != nil {
		return fmt.Errorf("%q is an IP address, not a domain: probe it as an endpoint, e.g. imaps://%s", d, d)
	}
	if err := ValidateHost(d); err != nil {
		return err
	}
	if !strings.Contains(strings.TrimSuffix(d, "."), ".") {
		return fmt.Errorf("%q is not a domain: a mail domain has at least one dot (example.com)", d)
	}
	return nil
}
