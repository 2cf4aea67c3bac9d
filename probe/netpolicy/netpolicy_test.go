package netpolicy

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// TestPolicy: every range the exporter must refuse, in its plain, IPv4-mapped and NAT64 forms, and what an
// operator's --allow-private lets through.
func TestPolicy(t *testing.T) {
	denied := map[string]string{
		"127.0.0.1":       "loopback",
		"127.255.255.254": "loopback",
		"10.1.2.3":        "private-use",
		"172.16.0.1":      "private-use",
		"172.31.255.255":  "private-use",
		"192.168.1.1":     "private-use",
		"100.64.0.1":      "carrier-grade NAT",
		"100.127.255.254": "carrier-grade NAT",
		"169.254.169.254": "cloud metadata",
		"169.254.1.1":     "link-local",
		"0.0.0.0":         "unspecified",
		"0.1.2.3":         "unspecified",
		"224.0.0.1":       "multicast",
		"239.255.255.250": "multicast",
		"240.0.0.1":       "reserved",
		"255.255.255.255": "broadcast",
		"192.0.0.8":       "IETF protocol",
		"192.0.2.1":       "documentation",
		"198.51.100.7":    "documentation",
		"203.0.113.9":     "documentation",
		"198.18.0.1":      "benchmarking",
		"198.19.255.1":    "benchmarking",
		"192.88.99.1":     "special-purpose",
		"::1":             "loopback",
		"::":              "unspecified",
		"fe80::1":         "link-local",
		"febf::1":         "link-local",
		"fc00::1":         "unique local",
		"fd12:3456::1":    "unique local",
		"ff02::1":         "multicast",
		"2001:db8::25":    "documentation",
		"3fff::1":         "documentation",
		"2002:7f00:1::1":  "6to4",
		"2001:0:1::1":     "Teredo",
		"64:ff9b:1::1":    "NAT64",
		"100::1":          "global unicast",
		// IPv4-mapped (dialled as IPv4) and NAT64 (translated to IPv4) forms: judged by the address inside.
		"::ffff:127.0.0.1":       "IPv4-mapped form of 127.0.0.1, a loopback",
		"::ffff:10.0.0.1":        "IPv4-mapped form of 10.0.0.1, a private-use",
		"::ffff:169.254.169.254": "IPv4-mapped form of 169.254.169.254, the cloud metadata",
		"::ffff:0.0.0.0":         "IPv4-mapped form of 0.0.0.0",
		"64:ff9b::7f00:1":        "NAT64 form of 127.0.0.1, a loopback",
		"64:ff9b::a9fe:a9fe":     "NAT64 form of 169.254.169.254",
		"64:ff9b::c0a8:101":      "NAT64 form of 192.168.1.1",
	}
	allowed := []string{"192.0.32.10", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2a00:1450:4001::1",
		"2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}
	p := New(nil)
	for addr, why := range denied {
		a := netip.MustParseAddr(addr)
		err := p.Check(netip.AddrPortFrom(a, 993))
		var de *DeniedError
		if !errors.As(err, &de) || de.Port || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: %v; want refused as %q", addr, err, why)
		}
		if reason, internal := Internal(a); !internal || !strings.Contains(reason, why) {
			t.Errorf("Internal(%s) = %q, %v; want %q", addr, reason, internal, why)
		}
	}
	for _, addr := range allowed {
		a := netip.MustParseAddr(addr)
		if err := p.Check(netip.AddrPortFrom(a, 25)); err != nil {
			t.Errorf("%s: %v; want allowed", addr, err)
		}
		if reason, internal := Internal(a); internal {
			t.Errorf("Internal(%s) = %q", addr, reason)
		}
	}

	// An operator's ranges, in any spelling, also cover the mapped forms of what they allow.
	allow, err := ParseAllow([]string{"127.0.0.0/8", "10.9.0.0/16", "fd00::/8", "192.0.2.7", "::ffff:172.16.0.0/112"})
	if err != nil {
		t.Fatal(err)
	}
	op := New(allow)
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::ffff:127.0.0.1": true, "64:ff9b::7f00:1": true, "10.9.1.1": true, "10.8.1.1": false,
		"fd00::1": true, "fc00::1": false, "192.0.2.7": true, "192.0.2.8": false, "172.16.0.9": true,
		"172.17.0.1": false, "169.254.169.254": false, "::1": false,
	} {
		err := op.Check(netip.AddrPortFrom(netip.MustParseAddr(addr), 143))
		if (err == nil) != want {
			t.Errorf("with --allow-private, %s: %v; want allowed %v", addr, err, want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "", "fe80::1%eth0"} {
		if _, err := ParseAllow([]string{bad}); err == nil || !strings.Contains(err.Error(), "--allow-private") {
			t.Errorf("ParseAllow(%q) = %v", bad, err)
		}
	}
}

// TestPorts: the mail and web ports pass, others only when the request names them.
func TestPorts(t *testing.T) {
	p := New(nil)
	public := netip.MustParseAddr("192.0.32.10")
	for _, port := range []uint16{25, 110, 143, 465, 587, 993, 995, 80, 443} {
		if err := p.Check(netip.AddrPortFrom(public, port)); err != nil {
			t.Errorf("port %d: %v", port, err)
		}
	}
	for _, port := range []uint16{22, 6379, 8080, 9916, 0} {
		var de *DeniedError
		if err := p.Check(netip.AddrPortFrom(public, port)); !errors.As(err, &de) || !de.Port {
			t.Errorf("port %d: %v; want refused for its port", port, err)
		}
	}
	ctx := WithPorts(context.Background(), 2525)
	if err := p.CheckAddress(ctx, "tcp", "192.0.32.10:2525"); err != nil {
		t.Errorf("a port the request names: %v", err)
	}
	if err := p.CheckAddress(ctx, "tcp", "127.0.0.1:2525"); err == nil {
		t.Error("a port the request names opened loopback")
	}
	if err := p.CheckAddress(context.Background(), "tcp", "192.0.32.10:2525"); err == nil {
		t.Error("port 2525 allowed without the request naming it")
	}
}

// TestCheckAddress: names, zones and other networks are refused; the policy only judges literal addresses.
func TestCheckAddress(t *testing.T) {
	p := New(nil)
	ctx := context.Background()
	for _, tc := range []struct{ network, address string }{
		{"tcp", "localhost:25"}, {"tcp", "mail.example.com:25"}, {"udp", "192.0.32.10:25"},
		{"tcp", "[fe80::1%eth0]:25"}, {"tcp", "192.0.32.10"}, {"tcp", "[::ffff:127.0.0.1]:993"},
		{"tcp", "0x7f000001:25"}, {"tcp", "2130706433:25"}, {"tcp", "127.1:25"},
	} {
		var de *DeniedError
		if err := p.CheckAddress(ctx, tc.network, tc.address); !errors.As(err, &de) {
			t.Errorf("%s %s: %v; want refused", tc.network, tc.address, err)
		}
	}
	if err := p.CheckAddress(ctx, "tcp6", "[2a00:1450:4001::1]:993"); err != nil {
		t.Error(err)
	}
}

// TestDenySelf: the exporter's own listener is refused even in an allowed range, on any address of the
// machine when it listens on all of them.
func TestDenySelf(t *testing.T) {
	allow, _ := ParseAllow([]string{"127.0.0.0/8", "::1/128"})
	p := New(allow)
	p.DenySelf(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 9916})
	ctx := WithPorts(context.Background(), 9916, 9917)
	for addr, want := range map[string]bool{"127.0.0.1:9916": false, "[::ffff:127.0.0.1]:9916": false, "127.0.0.1:9917": true, "127.0.0.2:9916": true} {
		if err := p.CheckAddress(ctx, "tcp", addr); (err == nil) != want {
			t.Errorf("%s: %v; want allowed %v", addr, err, want)
		}
	}
	p.DenySelf(&net.TCPAddr{IP: net.IPv6unspecified, Port: 9917})
	for _, addr := range []string{"127.0.0.1:9917", "[::1]:9917"} {
		if err := p.CheckAddress(ctx, "tcp", addr); err == nil || !strings.Contains(err.Error(), "own listening address") {
			t.Errorf("%s with a listener on [::]:9917: %v", addr, err)
		}
	}
}

// TestDialer: the wrapper refuses before dialling, and a *net.Dialer also gets the check as its Control,
// on the resolved address.
func TestDialer(t *testing.T) {
	p := New(nil)
	called := false
	d := p.Dialer(dialFunc(func(context.Context, string, string) (net.Conn, error) {
		called = true
		return nil, errors.New("dialled")
	}))
	_, err := d.DialContext(context.Background(), "tcp", "169.254.169.254:80")
	var de *DeniedError
	if !errors.As(err, &de) || called {
		t.Errorf("a metadata address: %v (dialled %v)", err, called)
	}
	if p.Dialer(d) != d {
		t.Error("the policy wrapped its own dialer twice")
	}
	nd := p.Dialer(&net.Dialer{}).(*guarded).next.(*net.Dialer)
	if err := nd.ControlContext(context.Background(), "tcp4", "127.0.0.1:25", nil); !errors.As(err, &de) {
		t.Errorf("Control on a resolved loopback address: %v", err)
	}
	// A name that the operating system resolves to loopback is refused by Control after resolution.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ctx := WithPorts(context.Background(), atoi(port))
	if c, err := nd.DialContext(ctx, "tcp", ln.Addr().String()); err == nil || !errors.As(err, &de) {
		if c != nil {
			c.Close()
		}
		t.Errorf("the net.Dialer connected to loopback: %v", err)
	}
}

type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

func (f dialFunc) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return f(ctx, network, address)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// FuzzCheckAddress: whatever the dialer is handed, the check neither panics nor lets through an address
// whose real destination is internal.
func FuzzCheckAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1:25", "[::ffff:127.0.0.1]:993", "[64:ff9b::7f00:1]:25", "8.8.8.8:25",
		"[2a00:1450::1]:443", "localhost:25", "[fe80::1%lo]:25", "10.0.0.1:65536", ":25", "[::]:0"} {
		f.Add("tcp", s)
	}
	p := New(nil)
	f.Fuzz(func(t *testing.T, network, address string) {
		err := p.CheckAddress(context.Background(), network, address)
		if err == nil {
			ap, perr := netip.ParseAddrPort(address)
			if perr != nil {
				t.Fatalf("%q allowed but not an address", address)
			}
			if _, internal := Internal(ap.Addr()); internal {
				t.Fatalf("%q allowed but internal", address)
			}
			if real, _ := Embedded(ap.Addr()); real.IsLoopback() || real.IsPrivate() || real.IsLinkLocalUnicast() || real.IsUnspecified() || real.IsMulticast() {
				t.Fatalf("%q allowed", address)
			}
		}
	})
}
