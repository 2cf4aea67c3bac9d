package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Resolver asks DNS servers directly (with github.com/miekg/dns) so that mailcheck sees the response codes a
// diagnosis needs (NXDOMAIN, NODATA, SERVFAIL, REFUSED), which the standard library hides.
type Resolver struct {
	// Servers are "host:port" addresses, tried in order.
	Servers []string
	// Timeout bounds one query to one server.
	Timeout time.Duration

	mu    sync.Mutex
	cache map[dnsKey]*dnsCall
}

type dnsKey struct {
	name  string
	qtype uint16
}

// dnsCall lets concurrent askers of one question share one query.
type dnsCall struct {
	done chan struct{}
	msg  *dns.Msg
	err  error
	took time.Duration
}

// SystemResolver reads the servers from a resolv.conf file (normally /etc/resolv.conf).
func SystemResolver(path string, timeout time.Duration) (*Resolver, error) {
	cfg, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the DNS configuration %s: %v (use --resolver HOST:PORT)", path, err)
	}
	if len(cfg.Servers) == 0 {
		return nil, fmt.Errorf("%s lists no DNS servers (use --resolver HOST:PORT)", path)
	}
	r := &Resolver{Timeout: timeout}
	for _, s := range cfg.Servers {
		r.Servers = append(r.Servers, net.JoinHostPort(s, cfg.Port))
	}
	return r, nil
}

// ParseResolverAddr checks a --resolver value and adds port 53 when none is given.
func ParseResolverAddr(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("--resolver is empty")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port: a bare IPv4/IPv6 address (brackets only as a pair around the whole) or a name.
		host, port = s, "53"
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			host = s[1 : len(s)-1]
		}
	}
	if net.ParseIP(host) == nil {
		return "", fmt.Errorf("--resolver %q: give the DNS server as an IP address, optionally with a port (192.0.2.53:53, [2001:db8::53]:53)", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("--resolver %q: port %q is out of range (1-65535)", s, port)
	}
	return net.JoinHostPort(host, port), nil
}

// DNSError is a failed lookup, classified by its DNS response code or transport failure.
type DNSError struct {
	Name string
	Type string
	// Rcode is the response code when an answer came (dns.RcodeNameError, ...), -1 otherwise.
	Rcode int
	// NoData is true when the name exists but has no record of the type asked for.
	NoData bool
	// Err is the transport error when no answer came.
	Err error
}

func (e *DNSError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("DNS %s lookup for %s failed: %v", e.Type, e.Name, e.Err)
	case e.NoData:
		return fmt.Sprintf("%s exists but has no %s record", e.Name, e.Type)
	default:
		return fmt.Sprintf("DNS %s lookup for %s: %s", e.Type, e.Name, dns.RcodeToString[e.Rcode])
	}
}

func (e *DNSError) Unwrap() error { return e.Err }

// Query asks one question and returns the answer message. Concurrent and repeated calls for the same
// question share one query. A truncated UDP answer is retried over TCP (RFC 7766 section 5), since
// miekg/dns does not do that by itself.
func (r *Resolver) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, time.Duration, error) {
	key := dnsKey{dns.CanonicalName(name), qtype}
	r.mu.Lock()
	if r.cache == nil {
		r.cache = make(map[dnsKey]*dnsCall)
	}
	call, ok := r.cache[key]
	if !ok {
		call = &dnsCall{done: make(chan struct{})}
		r.cache[key] = call
		r.mu.Unlock()
		start := time.Now()
		call.msg, call.err = r.exchange(ctx, key.name, qtype)
		call.took = time.Since(start)
		close(call.done)
	} else {
		r.mu.Unlock()
	}
	select {
	case <-call.done:
		return call.msg, call.took, call.err
	case <-ctx.Done():
		return nil, 0, &DNSError{Name: name, Type: dns.TypeToString[qtype], Rcode: -1, Err: ctx.Err()}
	}
}

func (r *Resolver) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, false) // the DNS flag day 2020 buffer size
	typ := dns.TypeToString[qtype]
	var lastErr error
	for _, server := range r.Servers {
		resp, err := r.exchangeOne(ctx, m, server)
		if err != nil {
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		// RFC 1035 section 7.2: another server may answer when one fails; REFUSED and SERVFAIL are per server.
		if (resp.Rcode == dns.RcodeServerFailure || resp.Rcode == dns.RcodeRefused) && server != r.Servers[len(r.Servers)-1] {
			lastErr = &DNSError{Name: name, Type: typ, Rcode: resp.Rcode}
			continue
		}
		return resp, nil
	}
	if lastErr == nil {
		lastErr = errors.New("no DNS servers configured")
	}
	var de *DNSError
	if errors.As(lastErr, &de) {
		return nil, de
	}
	return nil, &DNSError{Name: name, Type: typ, Rcode: -1, Err: lastErr}
}

func (r *Resolver) exchangeOne(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	c := &dns.Client{Net: "udp", Timeout: timeout}
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, _, err := c.ExchangeContext(qctx, m, server)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(qctx, m, server)
	}
	return resp, err
}

// LookupAddrs returns the A or AAAA addresses of a host, following CNAMEs in the answer.
// A name without addresses of that type gives a *DNSError with NoData set.
func (r *Resolver) LookupAddrs(ctx context.Context, host string, qtype uint16) ([]string, *dns.Msg, time.Duration, error) {
	msg, took, err := r.Query(ctx, host, qtype)
	if err != nil {
		return nil, msg, took, err
	}
	addrs, err := addrsOf(host, qtype, msg)
	return addrs, msg, took, err
}

// addrsOf reads the addresses of an A or AAAA answer; a failed or empty answer is a *DNSError.
func addrsOf(host string, qtype uint16, msg *dns.Msg) ([]string, error) {
	typ := dns.TypeToString[qtype]
	if msg.Rcode != dns.RcodeSuccess {
		return nil, &DNSError{Name: host, Type: typ, Rcode: msg.Rcode}
	}
	var addrs []string
	for _, rr := range msg.Answer {
		switch v := rr.(type) {
		case *dns.A:
			addrs = append(addrs, v.A.String())
		case *dns.AAAA:
			addrs = append(addrs, v.AAAA.String())
		}
	}
	if len(addrs) == 0 {
		return nil, &DNSError{Name: host, Type: typ, Rcode: msg.Rcode, NoData: true}
	}
	return addrs, nil
}

// answerStrings renders the answer section for the report.
func answerStrings(msg *dns.Msg) []string {
	if msg == nil {
		return nil
	}
	var out []string
	for _, rr := range msg.Answer {
		h := rr.Header()
		s := strings.TrimPrefix(rr.String(), h.String())
		out = append(out, dns.TypeToString[h.Rrtype]+" "+s)
	}
	return out
}
