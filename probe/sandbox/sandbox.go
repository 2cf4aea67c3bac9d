// Package sandbox runs a whole mail domain inside the process, on loopback only: an authoritative DNS
// server for the domain, IMAP, POP3 and SMTP servers with certificates from a sandbox CA, and faults a
// real network shows (refused ports, black holes, unreachable IPv6, expired or wrong-host certificates,
// rejecting greetings).
//
// `mailcheck demo` probes it so a newcomer sees a real report without a network, and the tests of package
// probe use it as their world. Every listener binds 127.0.0.1:0; the addresses the zone publishes
// (127.0.0.2, 2001:db8::2, ...) are never dialled for real: DialContext maps them to the listeners.
package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
	"github.com/miekg/dns"
)

// CertKind says which certificate a TLS service presents.
type CertKind int

const (
	// CertGood is signed by the sandbox CA for the service's host name and valid now.
	CertGood CertKind = iota
	// CertExpired is signed by the sandbox CA but its validity ended a day ago.
	CertExpired
	// CertNotYetValid is signed by the sandbox CA but becomes valid only tomorrow.
	CertNotYetValid
	// CertWrongHost is signed by the sandbox CA and valid, but for Service.CertHost, which names another
	// host than the one the client asked for.
	CertWrongHost
	// CertSelfSigned is valid and names the right host, but signs itself instead of coming from the CA.
	CertSelfSigned
)

var certKindNames = map[CertKind]string{
	CertGood:        "good",
	CertExpired:     "expired",
	CertNotYetValid: "not-yet-valid",
	CertWrongHost:   "wrong-host",
	CertSelfSigned:  "self-signed",
}

// String names the kind, e.g. "expired".
func (k CertKind) String() string {
	if s, ok := certKindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("CertKind(%d)", int(k))
}

// Proto is the mail protocol a Service speaks.
type Proto string

// The protocols the sandbox serves.
const (
	ProtoIMAP Proto = "imap"
	ProtoPOP3 Proto = "pop3"
	ProtoSMTP Proto = "smtp"
	// ProtoHTTPS serves Service.Files over HTTP (in ModeTLS: HTTPS), e.g. a mail client autoconfig file.
	ProtoHTTPS Proto = "https"
)

// Mode is a Service's transport security.
type Mode string

// The security modes.
const (
	// ModePlain is clear text with no way to TLS at all.
	ModePlain Mode = "plain"
	// ModeSTARTTLS is clear text that offers STARTTLS (STLS for POP3).
	ModeSTARTTLS Mode = "starttls"
	// ModeTLS is implicit TLS: the handshake comes first (RFC 8314).
	ModeTLS Mode = "tls"
)

// Behavior is a connection-level fault of a Service.
type Behavior int

const (
	// BehaveNormal serves the protocol.
	BehaveNormal Behavior = iota
	// BehaveBlackhole drops the SYN: the dial hangs until the context ends, then fails with a timeout as
	// net.Dialer does; with Service.GiveUpAfter it fails with ETIMEDOUT after that long instead.
	BehaveBlackhole
	// BehaveRefuse answers the SYN with RST: the dial fails with ECONNREFUSED.
	BehaveRefuse
	// BehaveReset accepts the connection and then resets it (RST) without a word.
	BehaveReset
	// BehaveClose accepts the connection and closes it (FIN) without a word.
	BehaveClose
	// BehaveSilent accepts the connection and never speaks.
	BehaveSilent
	// BehaveUnreachable has no route: the dial fails with ENETUNREACH.
	BehaveUnreachable
)

var behaviorNames = map[Behavior]string{
	BehaveNormal:      "normal",
	BehaveBlackhole:   "blackhole",
	BehaveRefuse:      "refuse",
	BehaveReset:       "reset",
	BehaveClose:       "close",
	BehaveSilent:      "silent",
	BehaveUnreachable: "unreachable",
}

// String names the behaviour, e.g. "blackhole".
func (b Behavior) String() string {
	if s, ok := behaviorNames[b]; ok {
		return s
	}
	return fmt.Sprintf("Behavior(%d)", int(b))
}

// dialFault says whether the behaviour is decided at dial time, with no listener behind it.
func (b Behavior) dialFault() bool {
	return b == BehaveBlackhole || b == BehaveRefuse || b == BehaveUnreachable
}

// Service is one server listening for a (host IP, standard port) pair.
type Service struct {
	// IP is the address the zone gives the host, e.g. "127.0.0.2" or "2001:db8::2" (never dialled for
	// real).
	IP string
	// Port is the standard port a client dials (993, 143, 995, 110, 465, 587, 25). Port 0 stands for
	// every port of IP that no other Service names; it is allowed only for the dial-time behaviours
	// (BehaveBlackhole, BehaveRefuse, BehaveUnreachable), e.g. a whole IPv6 address without a route.
	Port int
	// Proto is the protocol served. SMTP on port 25 is an MX: it offers no AUTH.
	Proto Proto
	// Mode is the transport security; empty means ModePlain.
	Mode Mode
	// Cert is the certificate presented in ModeSTARTTLS and ModeTLS.
	Cert CertKind
	// CertHost is the name the certificate is issued for. Empty means the first host name whose A or AAAA
	// record points to IP; for CertWrongHost set it to another name (empty gives "wrong-host.invalid").
	// A comma-separated list names several (the first is also the subject), e.g. "d.test,*.d.test".
	CertHost string
	// TLSMaxVersion caps the TLS version (0: Go's default), e.g. tls.VersionTLS11 for an outdated server.
	TLSMaxVersion uint16

	// Faults (one at most).

	// Greeting replaces the server's greeting and turns the service into a fault that does nothing
	// else: SMTP, e.g. "554 5.7.1 No SMTP service here" (then it answers 503 until QUIT, RFC 5321
	// section 3.1) or "421 4.3.2 Try later"; IMAP, e.g. "* BYE go away"; POP3, e.g. "-ERR [SYS/TEMP] busy".
	// IMAP and POP3 close the connection right after it.
	Greeting string
	// Behavior is a connection-level fault; the zero value serves normally.
	Behavior Behavior
	// PlaintextAuth allows login before TLS: IMAP without LOGINDISABLED, SMTP AUTH offered before
	// STARTTLS, POP3 USER and SASL offered before STLS.
	PlaintextAuth bool
	// Files are what a ProtoHTTPS service serves, by URL path ("/mail/config-v1.1.xml"); other paths 404.
	Files map[string]string
	// GiveUpAfter, for BehaveBlackhole, is when the dropped dial fails with ETIMEDOUT, as the kernel's does
	// when it stops retrying the SYN, whatever the prober's own step budget is (an earlier context end
	// still ends it first). Zero means the kernel's 127 s, so the prober's deadline decides. It lets a
	// world contain a black hole without the prober's budget for the working servers having to be short.
	GiveUpAfter time.Duration
}

// World describes the sandbox domain.
type World struct {
	// Domain is the zone, e.g. "sandbox.test".
	Domain string
	// Records are the zone's records in RFC 1035 presentation format, each parsed with dns.NewRR, e.g.
	// "sandbox.test. 300 IN MX 10 mx.sandbox.test.". Every name must be inside Domain. A SOA record is
	// made up when none is given (it goes in the authority section of negative answers, RFC 2308).
	Records []string
	// OtherZones are more domains the DNS server answers for with authority (a mail provider's, a
	// customer's), so that one sandbox can hold several domains; Records may lie in any of them.
	OtherZones []string
	// Services are the servers, one per (IP, Port).
	Services []Service
	// Users maps a login to its password, e.g. "alice@sandbox.test": "correct horse battery staple".
	// Logins are the users' addresses and compare case-insensitively.
	Users map[string]string
	// Tokens are the OAuth2 access tokens the servers accept, by token string (see oauth.go); with any,
	// IMAP, POP3 and SMTP also offer XOAUTH2 and OAUTHBEARER.
	Tokens map[string]Token
	// ServFail lists names the DNS server answers with SERVFAIL.
	ServFail []string
	// DNSDelayUntilTimeout lists names the DNS server never answers.
	DNSDelayUntilTimeout []string
}

// Sandbox is a running World.
type Sandbox struct {
	// World is what was started.
	World World
	// DNSAddr is the in-process DNS server, "127.0.0.1:NNNN", UDP and TCP on the same port.
	DNSAddr string
	// CAFile is the PEM file of the sandbox CA, in a temporary directory removed by Close.
	CAFile string
	// RootCAs contains the sandbox CA.
	RootCAs *x509.CertPool

	tmpDir    string
	zone      *zone
	ca        *authority
	dns       []*dns.Server
	endpoints map[netip.AddrPort]*endpoint
	// hostFaults are the Port 0 services, by IP.
	hostFaults map[netip.Addr]*endpoint
	users      map[string]string
	imapMem    *imapmemserver.Server
	imapUsers  map[string]*imapmemserver.User

	// done is closed by Close: blackholed dials give up and DialContext refuses.
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
	// wg counts every goroutine the sandbox starts, including the library servers' connection
	// goroutines (see imap.go).
	wg sync.WaitGroup

	mu        sync.Mutex
	delivered map[string][]string
	// failed counts refused logins per protocol, as a server's log (and fail2ban) would.
	failed map[Proto]int
	// secrets counts the passwords and tokens logins sent, per protocol (Heard).
	secrets map[string]int
}

// endpoint is one Service at run time.
type endpoint struct {
	svc     Service
	virtual netip.AddrPort
	// host is the name the service calls itself (SMTP greeting, certificate).
	host string
	// tlsConfig is the server configuration for ModeSTARTTLS and ModeTLS.
	tlsConfig *tls.Config
	// ln is the loopback listener, nil for dial-time faults.
	ln      net.Listener
	tracker *connTracker
	smtp    *smtp.Server
}

// idleTimeout bounds how long a sandbox server waits for a client's next command, so a stuck client
// cannot hold a goroutine for ever (Close ends them all earlier anyway).
const idleTimeout = 2 * time.Minute

// Start builds the zone, the CA and the certificates, and starts every server. It returns once all of
// them accept connections. Close the Sandbox when done.
func Start(w World) (*Sandbox, error) {
	s := &Sandbox{
		World:      w,
		endpoints:  make(map[netip.AddrPort]*endpoint),
		hostFaults: make(map[netip.Addr]*endpoint),
		users:      make(map[string]string),
		imapUsers:  make(map[string]*imapmemserver.User),
		done:       make(chan struct{}),
		delivered:  make(map[string][]string),
		failed:     make(map[Proto]int),
	}
	for login, pw := range w.Users {
		s.users[strings.ToLower(login)] = pw
	}
	z, err := newZone(w)
	if err != nil {
		return nil, err
	}
	s.zone = z
	if s.ca, err = newAuthority(time.Now()); err != nil {
		return nil, err
	}
	s.RootCAs = x509.NewCertPool()
	s.RootCAs.AddCert(s.ca.cert)

	ok := false
	defer func() {
		if !ok {
			_ = s.Close()
		}
	}()
	if s.tmpDir, err = os.MkdirTemp("", "mailcheck-sandbox-"); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.CAFile = filepath.Join(s.tmpDir, "sandbox-ca.pem")
	if err := os.WriteFile(s.CAFile, s.ca.pem, 0o644); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := s.startDNS(); err != nil {
		return nil, err
	}
	s.setUpMailboxes()
	for i := range w.Services {
		if err := s.startService(w.Services[i]); err != nil {
			return nil, err
		}
	}
	ok = true
	return s, nil
}

// startService checks one Service and starts its server.
func (s *Sandbox) startService(svc Service) error {
	addr, err := netip.ParseAddr(svc.IP)
	if err != nil {
		return fmt.Errorf("sandbox: service IP %q: %w", svc.IP, err)
	}
	addr = addr.Unmap().WithZone("")
	if svc.Port < 0 || svc.Port > 65535 {
		return fmt.Errorf("sandbox: service %s: port %d out of range", svc.IP, svc.Port)
	}
	if svc.Mode == "" {
		svc.Mode = ModePlain
	}
	ep := &endpoint{svc: svc, virtual: netip.AddrPortFrom(addr, uint16(svc.Port))}
	if svc.Port == 0 {
		if !svc.Behavior.dialFault() {
			return fmt.Errorf("sandbox: service %s port 0: only blackhole, refuse and unreachable apply to a whole address", svc.IP)
		}
		if s.hostFaults[addr] != nil {
			return fmt.Errorf("sandbox: two port-0 services for %s", addr)
		}
		s.hostFaults[addr] = ep
		return nil
	}
	if s.endpoints[ep.virtual] != nil {
		return fmt.Errorf("sandbox: two services for %s", ep.virtual)
	}
	s.endpoints[ep.virtual] = ep
	if _, ok := behaviorNames[svc.Behavior]; !ok {
		return fmt.Errorf("sandbox: service %s: unknown behaviour %d", ep.virtual, int(svc.Behavior))
	}
	if svc.Behavior.dialFault() {
		return nil
	}
	if svc.Behavior == BehaveNormal {
		switch svc.Proto {
		case ProtoIMAP, ProtoPOP3, ProtoSMTP, ProtoHTTPS:
		default:
			return fmt.Errorf("sandbox: service %s: unknown protocol %q", ep.virtual, svc.Proto)
		}
		switch svc.Mode {
		case ModePlain, ModeSTARTTLS, ModeTLS:
		default:
			return fmt.Errorf("sandbox: service %s: unknown mode %q", ep.virtual, svc.Mode)
		}
	}
	ep.host = s.zone.hostFor(addr)
	if ep.host == "" {
		ep.host = strings.TrimSuffix(s.zone.origin, ".")
	}
	if svc.Behavior == BehaveNormal && svc.Mode != ModePlain {
		certHost := svc.CertHost
		if certHost == "" {
			certHost = s.zone.hostFor(addr)
			if svc.Cert == CertWrongHost {
				certHost = "wrong-host.invalid"
			}
		}
		if certHost == "" {
			return fmt.Errorf("sandbox: service %s: no A/AAAA record names %s and CertHost is empty", ep.virtual, addr)
		}
		leaf, err := s.ca.leaf(svc.Cert, certHost)
		if err != nil {
			return err
		}
		ep.tlsConfig = &tls.Config{Certificates: []tls.Certificate{*leaf}, MaxVersion: svc.TLSMaxVersion}
		if svc.TLSMaxVersion != 0 && svc.TLSMaxVersion < tls.VersionTLS12 {
			// Go refuses TLS 1.0 and 1.1 unless MinVersion asks for them.
			ep.tlsConfig.MinVersion = tls.VersionTLS10
		}
	}
	return s.listen(ep)
}

// Close stops every server, waits for their goroutines and removes CAFile. It is safe to call more than
// once.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		var errs []error
		for _, ep := range s.endpoints {
			if ep.tracker != nil {
				ep.tracker.closeAll()
			}
		}
		for _, srv := range s.dns {
			// The server has started (Start waited for it), so Shutdown only fails if it was already shut.
			_ = srv.Shutdown()
		}
		s.wg.Wait()
		for _, ep := range s.endpoints {
			if ep.smtp != nil {
				// The listener and the connections are closed already, and Serve has returned:
				// Shutdown only waits for go-smtp's connection goroutines to finish.
				if err := ep.smtp.Shutdown(context.Background()); err != nil && !errors.Is(err, net.ErrClosed) {
					errs = append(errs, err)
				}
			}
		}
		if s.tmpDir != "" {
			if err := os.RemoveAll(s.tmpDir); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Messages returns the messages the SMTP servers accepted for an address (local user or not), oldest
// first, as received after DATA.
func (s *Sandbox) Messages(user string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.delivered[strings.ToLower(user)]...)
}

// RealAddr returns the loopback address ("127.0.0.1:NNNN") behind a Service's (IP, standard port), for
// tests that want to bypass DialContext. ok is false for unknown pairs and dial-time faults.
func (s *Sandbox) RealAddr(ip string, port int) (addr string, ok bool) {
	a, err := netip.ParseAddr(ip)
	if err != nil || port < 0 || port > 65535 {
		return "", false
	}
	ep := s.endpoints[netip.AddrPortFrom(a.Unmap().WithZone(""), uint16(port))]
	if ep == nil || ep.ln == nil {
		return "", false
	}
	return ep.ln.Addr().String(), true
}

// Endpoints lists the (IP, standard port) pairs that have a Service, sorted, as "IP:port" (IPv6 as
// "[addr]:port"); port-0 services appear as "IP:0".
func (s *Sandbox) Endpoints() []string {
	var out []string
	for ap := range s.endpoints {
		out = append(out, ap.String())
	}
	for a := range s.hostFaults {
		out = append(out, netip.AddrPortFrom(a, 0).String())
	}
	sort.Strings(out)
	return out
}

// deliver stores a message for one recipient and, for a local user, in the IMAP INBOX too.
func (s *Sandbox) deliver(rcpt, msg string) {
	rcpt = strings.ToLower(rcpt)
	s.mu.Lock()
	s.delivered[rcpt] = append(s.delivered[rcpt], msg)
	s.mu.Unlock()
	if u := s.imapUsers[rcpt]; u != nil {
		appendMessage(u, msg)
	}
}

// maildrop is what POP3 shows a user: the welcome message, then what SMTP delivered.
func (s *Sandbox) maildrop(user string) []string {
	return append([]string{welcomeMessage(s.zone.origin, user)}, s.Messages(user)...)
}

// welcomeMessage is the one message every mailbox starts with, so that a login shows a non-empty box.
func welcomeMessage(origin, user string) string {
	domain := strings.TrimSuffix(origin, ".")
	return "From: Sandbox postmaster <postmaster@" + domain + ">\r\n" +
		"To: <" + user + ">\r\n" +
		"Subject: Welcome to the mailcheck sandbox\r\n" +
		"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n" +
		"Message-ID: <welcome@" + domain + ">\r\n" +
		"\r\n" +
		"This mailbox lives inside mailcheck's sandbox: nothing here crossed a network.\r\n"
}
