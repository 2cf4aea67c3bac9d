// Package netpolicy is mailcheck's connection policy: which addresses and ports a probe may connect to
// when the target was chosen by someone other than the operator (the exporter's scrapers, and whoever
// publishes the DNS records and autoconfig files a discovery follows).
//
// The check is made at dial time, on the address actually dialled: mailcheck resolves every name itself
// and dials IP:port, so the literal IP handed to the dialer is the resolved address, and a name is
// refused rather than resolved by Go behind the policy's back. A check of names before resolution would
// be bypassed by DNS rebinding or by a redirect; this one holds for every dial, redirects included.
//
// The ranges come from code.dny.dev/ssrf, which generates them from the IANA IPv4 and IPv6
// special-purpose address registries (loopback, RFC 1918 private use, shared address space, link local
// with the cloud metadata address 169.254.169.254, documentation, benchmarking, multicast, reserved;
// for IPv6 anything outside global unicast 2000::/3, which takes in ::1, ::, fc00::/7, fe80::/10,
// ff00::/8). Around it this package adds what mailcheck needs: IPv4-mapped (::ffff:0:0/96) and NAT64
// (64:ff9b::/96) addresses are judged by the IPv4 address inside them, operator-allowed ranges
// (--allow-private), the mail and web ports plus the ports a request names, and the exporter's own
// listening address.
package netpolicy

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"code.dny.dev/ssrf"
)

// Ports are the ports a policy allows without a request naming them: the mail protocols' standard
// ports (SMTP 25, 465, 587; POP3 110, 995; IMAP 143, 993) and HTTP(S) 80/443 for discovery.
var Ports = []uint16{25, 110, 143, 465, 587, 993, 995, 80, 443}

// Dialer opens TCP connections; *net.Dialer and probe.Dialer have this method.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Policy refuses connections to special-purpose addresses, to ports that are neither a mail nor a web
// port (nor one the request names), and to the exporter's own listening address. Safe for concurrent
// use.
type Policy struct {
	allow []netip.Prefix
	ports []uint16
	guard *ssrf.Guardian

	mu sync.RWMutex
	// self are the addresses this process listens on, never to be probed.
	self []netip.AddrPort
}

// New returns the policy that refuses every special-purpose address except those in allow (the
// operator's --allow-private ranges).
func New(allow []netip.Prefix) *Policy {
	return &Policy{allow: slices.Clone(allow), ports: Ports, guard: ssrf.New(ssrf.WithAnyPort(), ssrf.WithAnyNetwork())}
}

// ParseAllow reads --allow-private values: CIDR prefixes (10.0.0.0/8, fd00::/8) or single addresses.
func ParseAllow(values []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range values {
		s := strings.TrimSpace(v)
		var (
			p   netip.Prefix
			err error
		)
		if strings.Contains(s, "/") {
			p, err = netip.ParsePrefix(s)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(s); err == nil && a.Zone() == "" {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil || !p.IsValid() {
			return nil, fmt.Errorf("--allow-private %q: not a CIDR prefix (write e.g. 10.0.0.0/8 or fd00::/8)", v)
		}
		out = append(out, unmapPrefix(p.Masked()))
	}
	return out, nil
}

// unmapPrefix turns ::ffff:10.0.0.0/104 into 10.0.0.0/8: an IPv4-mapped address is dialled as IPv4.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p
}

// Allowed lists the operator's ranges, for the start-up message.
func (p *Policy) Allowed() []netip.Prefix { return slices.Clone(p.allow) }

// DenySelf adds an address this process listens on: the exporter must not probe itself. An unspecified
// address (0.0.0.0, ::) stands for every address of this machine, as the listener does.
func (p *Policy) DenySelf(addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return
	}
	ap := tcp.AddrPort()
	own := []netip.AddrPort{netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port())}
	if ap.Addr().IsUnspecified() {
		own = own[:0]
		for _, a := range localAddrs() {
			own = append(own, netip.AddrPortFrom(a, ap.Port()))
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.self = append(p.self, own...)
}

// localAddrs are this machine's addresses, loopback included.
func localAddrs() []netip.Addr {
	out := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out
}

func (p *Policy) isSelf(ap netip.AddrPort) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Contains(p.self, ap)
}

// DeniedError is a connection the policy refused. It comes back from the dial, so a probe reports it as
// that endpoint's finding (address_not_allowed); errors.As finds it under any wrapping.
type DeniedError struct {
	// Address is what the dial was asked for, host:port.
	Address string
	// Reason says why, in words for the report: the range and what it is, the port, or the listener.
	Reason string
	// Port is true when the port, not the address, was refused.
	Port bool
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("not connecting to %s: %s", e.Address, e.Reason)
}

// portsKey carries the ports a request names (an endpoint URL's port) in a context.
type portsKey struct{}

// WithPorts allows, for dials under ctx, the ports the request itself names: a target URL with an explicit
// port was chosen, and --allow-target vetted it; discovery's answers get only the standard ports.
func WithPorts(ctx context.Context, ports ...int) context.Context {
	extra, _ := ctx.Value(portsKey{}).([]uint16)
	extra = slices.Clone(extra)
	for _, p := range ports {
		if p > 0 && p <= 65535 {
			extra = append(extra, uint16(p))
		}
	}
	return context.WithValue(ctx, portsKey{}, extra)
}

// CheckAddress checks one dial, "IP:port" as the dialer gets it. Anything but a literal IP is refused: the
// policy judges resolved addresses only, and a name would be resolved by Go after the check.
func (p *Policy) CheckAddress(ctx context.Context, network, address string) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return &DeniedError{Address: address, Reason: "only TCP connections are made"}
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &DeniedError{Address: address, Reason: "not an IP address and port (names are resolved by mailcheck, then the address is checked)"}
	}
	extra, _ := ctx.Value(portsKey{}).([]uint16)
	return p.Check(ap, extra...)
}

// Check judges one address and port; extraPorts are allowed besides Ports.
func (p *Policy) Check(ap netip.AddrPort, extraPorts ...uint16) error {
	a := ap.Addr().WithZone("")
	judged, form := Embedded(a)
	deny := func(reason string, port bool) error {
		return &DeniedError{Address: net.JoinHostPort(ap.Addr().String(), strconv.Itoa(int(ap.Port()))), Reason: reason, Port: port}
	}
	if p.isSelf(netip.AddrPortFrom(judged, ap.Port())) || p.isSelf(netip.AddrPortFrom(a, ap.Port())) {
		return deny("this is mailcheck's own listening address", false)
	}
	if !slices.Contains(p.ports, ap.Port()) && !slices.Contains(extraPorts, ap.Port()) {
		return deny(fmt.Sprintf("port %d is not a mail or web port (%s) nor one the target names", ap.Port(), portList(p.ports)), true)
	}
	for _, pfx := range p.allow {
		if pfx.Contains(a) || pfx.Contains(judged) {
			return nil
		}
	}
	if reason, internal := p.internal(judged); internal {
		if form != "" {
			reason = fmt.Sprintf("the %s form of %s, %s", form, judged, reason)
		}
		return deny(reason+" (allow a range with --allow-private CIDR)", false)
	}
	return nil
}

// Embedded is the IPv4 address a connection to a really reaches: the address inside an IPv4-mapped
// (::ffff:0:0/96, dialled as IPv4) or NAT64 (64:ff9b::/96, RFC 6052, translated to IPv4 by the gateway)
// address, with the form's name; any other address is itself, with "".
func Embedded(a netip.Addr) (netip.Addr, string) {
	switch {
	case a.Is4In6():
		return a.Unmap(), "IPv4-mapped"
	case a.Is6() && nat64.Contains(a):
		b := a.As16()
		return netip.AddrFrom4([4]byte(b[12:])), "NAT64"
	}
	return a, ""
}

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// Internal says whether a is an address no device on the Internet reaches (loopback, private use,
// shared, link local, unique local, documentation, multicast, reserved, ...), in the IPv4-mapped and
// NAT64 forms too, and what it is. It ignores allowed ranges: the command line warns with it when a
// public domain's records point at such an address.
func Internal(a netip.Addr) (string, bool) {
	judged, form := Embedded(a.WithZone(""))
	reason, internal := defaultPolicy.internal(judged)
	if internal && form != "" {
		reason = fmt.Sprintf("the %s form of %s, %s", form, judged, reason)
	}
	return reason, internal
}

var defaultPolicy = New(nil)

// internal classifies an address (already unwrapped) against the IANA registries.
func (p *Policy) internal(a netip.Addr) (string, bool) {
	if err := p.guard.SafeAddr(a); err == nil {
		return "", false
	}
	for _, r := range names {
		if r.prefix.Contains(a) {
			return fmt.Sprintf("%s (%s)", r.name, r.prefix), true
		}
	}
	list := ssrf.IPv4DeniedPrefixes
	if a.Is6() {
		if !ssrf.IPv6GlobalUnicast.Contains(a) {
			return "not a global unicast address (outside 2000::/3)", true
		}
		list = ssrf.IPv6DeniedPrefixes
	}
	for _, pfx := range list {
		if pfx.Contains(a) {
			return fmt.Sprintf("a special-purpose address (%s, IANA registry)", pfx), true
		}
	}
	return "a special-purpose address (IANA registry)", true
}

// names word the ranges a report most often meets; the rest are named by their registry prefix.
var names = []struct {
	prefix netip.Prefix
	name   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (\"this network\") address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private-use address, RFC 1918"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private-use address, RFC 1918"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private-use address, RFC 1918"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address, RFC 6598"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.169.254/32"), "the cloud metadata service's link-local address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address, RFC 3927"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol assignment, RFC 6890"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address, RFC 5737"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address, RFC 5737"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address, RFC 5737"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address, RFC 2544"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "the broadcast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("::/128"), "the unspecified address"},
	{netip.MustParsePrefix("::1/128"), "the loopback address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique local address (ULA), RFC 4193"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
	{netip.MustParsePrefix("64:ff9b::/96"), "a NAT64 address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address, RFC 8215"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address, RFC 3849"},
	{netip.MustParsePrefix("3fff::/20"), "a documentation address, RFC 9637"},
	{netip.MustParsePrefix("2002::/16"), "a 6to4 address, RFC 3056"},
	{netip.MustParsePrefix("2001::/32"), "a Teredo address, RFC 4380"},
}

func portList(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ", ")
}

// Dialer puts the policy in front of next: every dial is checked before next sees it. When next is a
// *net.Dialer the check is also its Control function, on the address the kernel is asked to connect to,
// so that even a dial that reached the operating system with a name would be judged after resolution.
func (p *Policy) Dialer(next Dialer) Dialer {
	if g, ok := next.(*guarded); ok && g.policy == p {
		return g
	}
	if nd, ok := next.(*net.Dialer); ok {
		d := *nd
		prev, prevCtx := d.Control, d.ControlContext
		d.Control = nil
		d.ControlContext = func(ctx context.Context, network, address string, c syscall.RawConn) error {
			if err := p.CheckAddress(ctx, network, address); err != nil {
				return err
			}
			switch {
			case prevCtx != nil:
				return prevCtx(ctx, network, address, c)
			case prev != nil:
				return prev(network, address, c)
			}
			return nil
		}
		next = &d
	}
	return &guarded{policy: p, next: next}
}

// guarded is a Dialer that checks each address first.
type guarded struct {
	policy *Policy
	next   Dialer
}

func (g *guarded) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if err := g.policy.CheckAddress(ctx, network, address); err != nil {
		return nil, err
	}
	return g.next.DialContext(ctx, network, address)
}
