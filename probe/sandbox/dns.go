package sandbox

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// zone is the World's records, indexed for answering.
type zone struct {
	// origin is the canonical zone name, e.g. "sandbox.test.".
	origin string
	// rrs holds the records by canonical owner name, in the World's order.
	rrs map[string][]dns.RR
	// all holds the records in the World's order.
	all []dns.RR
	// exists holds every owner name and every empty non-terminal between it and the origin: such a name
	// answers NOERROR with no data, not NXDOMAIN (RFC 8020).
	exists map[string]bool
	soa    dns.RR
	// origins are the zone's name and World.OtherZones, each answered with authority; soas holds the SOA
	// record of each.
	origins  []string
	soas     map[string]dns.RR
	servFail map[string]bool
	silent   map[string]bool
}

// newZone parses and checks the World's records.
func newZone(w World) (*zone, error) {
	if w.Domain == "" {
		return nil, fmt.Errorf("sandbox: World.Domain is empty")
	}
	if _, ok := dns.IsDomainName(w.Domain); !ok {
		return nil, fmt.Errorf("sandbox: World.Domain %q is not a domain name", w.Domain)
	}
	z := &zone{
		origin:   dns.CanonicalName(w.Domain),
		rrs:      make(map[string][]dns.RR),
		exists:   make(map[string]bool),
		servFail: make(map[string]bool),
		silent:   make(map[string]bool),
		soas:     make(map[string]dns.RR),
	}
	z.origins = []string{z.origin}
	for _, o := range w.OtherZones {
		if _, ok := dns.IsDomainName(o); !ok {
			return nil, fmt.Errorf("sandbox: World.OtherZones: %q is not a domain name", o)
		}
		z.origins = append(z.origins, dns.CanonicalName(o))
	}
	for _, o := range z.origins {
		z.exists[o] = true
	}
	for _, text := range w.Records {
		rr, err := dns.NewRR(text)
		if err != nil {
			return nil, fmt.Errorf("sandbox: record %q: %w", text, err)
		}
		if rr == nil {
			return nil, fmt.Errorf("sandbox: record %q is empty", text)
		}
		name := dns.CanonicalName(rr.Header().Name)
		origin := z.originOf(name)
		if origin == "" {
			return nil, fmt.Errorf("sandbox: record %q is outside the zone %s", text, z.origin)
		}
		rr.Header().Name = name
		if soa, ok := rr.(*dns.SOA); ok {
			if name != origin {
				return nil, fmt.Errorf("sandbox: SOA record %q is not at the zone apex", text)
			}
			z.soas[origin] = soa
		}
		z.rrs[name] = append(z.rrs[name], rr)
		z.all = append(z.all, rr)
		for n := name; n != origin; {
			z.exists[n] = true
			i, end := dns.NextLabel(n, 0)
			if end {
				break
			}
			n = n[i:]
		}
	}
	for _, o := range z.origins {
		if z.soas[o] != nil {
			continue
		}
		soa, err := dns.NewRR(fmt.Sprintf("%s 300 IN SOA ns.%s hostmaster.%s 1 3600 600 86400 300", o, o, o))
		if err != nil {
			return nil, fmt.Errorf("sandbox: making a SOA record: %w", err)
		}
		z.soas[o] = soa
		z.rrs[o] = append(z.rrs[o], soa)
	}
	z.soa = z.soas[z.origin]
	for _, n := range w.ServFail {
		z.servFail[dns.CanonicalName(n)] = true
	}
	for _, n := range w.DNSDelayUntilTimeout {
		z.silent[dns.CanonicalName(n)] = true
	}
	return z, nil
}

// lookup answers qtype at name, following CNAMEs inside the zone (RFC 1034 section 4.3.2). The rcode is
// NXDOMAIN when the name, or the last CNAME target, does not exist (RFC 6604).
func (z *zone) lookup(name string, qtype uint16) ([]dns.RR, int) {
	var out []dns.RR
	for hops := 0; hops < 8; hops++ {
		if !z.exists[name] {
			return out, dns.RcodeNameError
		}
		var cname *dns.CNAME
		for _, rr := range z.rrs[name] {
			t := rr.Header().Rrtype
			switch {
			case t == qtype || qtype == dns.TypeANY:
				out = append(out, dns.Copy(rr))
			case t == dns.TypeCNAME:
				cname = rr.(*dns.CNAME)
			}
		}
		if cname == nil || len(out) > 0 {
			return out, dns.RcodeSuccess
		}
		out = append(out, dns.Copy(cname))
		name = dns.CanonicalName(cname.Target)
		if z.originOf(name) == "" {
			return out, dns.RcodeSuccess
		}
	}
	return out, dns.RcodeSuccess
}

// originOf is the zone origin a name belongs to (the longest that contains it), "" when none does.
func (z *zone) originOf(name string) string {
	best := ""
	for _, o := range z.origins {
		if dns.IsSubDomain(o, name) && len(o) > len(best) {
			best = o
		}
	}
	return best
}

// hostFor is the first name, in the World's record order, whose A or AAAA record holds addr, without the
// trailing dot; "" if none.
func (z *zone) hostFor(addr netip.Addr) string {
	for _, rr := range z.all {
		if a, ok := rrAddr(rr); ok && a == addr {
			return strings.TrimSuffix(rr.Header().Name, ".")
		}
	}
	return ""
}

// addrsOf returns a name's A then AAAA addresses from the zone.
func (z *zone) addrsOf(host string) []netip.Addr {
	var v4, v6 []netip.Addr
	for _, rr := range z.rrs[dns.CanonicalName(host)] {
		if a, ok := rrAddr(rr); ok {
			if a.Is4() {
				v4 = append(v4, a)
			} else {
				v6 = append(v6, a)
			}
		}
	}
	return append(v4, v6...)
}

// rrAddr is the address of an A or AAAA record.
func rrAddr(rr dns.RR) (netip.Addr, bool) {
	var ip net.IP
	switch r := rr.(type) {
	case *dns.A:
		ip = r.A
	case *dns.AAAA:
		ip = r.AAAA
	default:
		return netip.Addr{}, false
	}
	a, ok := netip.AddrFromSlice(ip)
	return a.Unmap(), ok
}

// ServeDNS answers as an authoritative-only server for the zone (RFC 1034 section 4.3.2): AA set inside
// the zone, REFUSED outside it, SOA in the authority section of negative answers (RFC 2308), and UDP
// answers truncated with TC to 512 bytes or the client's EDNS0 size (RFC 1035 section 4.2.1, RFC 6891)
// so the client has to retry over TCP.
func (z *zone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	if len(req.Question) != 1 {
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	if req.Opcode != dns.OpcodeQuery {
		m.SetRcode(req, dns.RcodeNotImplemented)
		_ = w.WriteMsg(m)
		return
	}
	m.SetReply(req)
	q := req.Question[0]
	name := dns.CanonicalName(q.Name)
	udp := w.LocalAddr().Network() == "udp"
	size := dns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		if int(opt.UDPSize()) > size {
			size = int(opt.UDPSize())
		}
		m.SetEdns0(1232, false)
	}
	switch {
	case z.silent[name]:
		return
	case z.servFail[name]:
		m.Rcode = dns.RcodeServerFailure
	case q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY:
		m.Rcode = dns.RcodeRefused
	case z.originOf(name) == "":
		m.Rcode = dns.RcodeRefused
	default:
		m.Authoritative = true
		m.Answer, m.Rcode = z.lookup(name, q.Qtype)
		if m.Rcode == dns.RcodeNameError || len(m.Answer) == 0 {
			m.Ns = []dns.RR{dns.Copy(z.soas[z.originOf(name)])}
		}
	}
	if udp {
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// startDNS starts the DNS server on one loopback port for both UDP and TCP.
func (s *Sandbox) startDNS() error {
	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)
	// The UDP port picked by the kernel may be taken for TCP: try a few.
	for range 20 {
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("sandbox: DNS: %w", err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if err != nil {
		return fmt.Errorf("sandbox: DNS: no port free for both UDP and TCP: %w", err)
	}
	s.DNSAddr = pc.LocalAddr().String()
	// Bulk runs (bench -domains) send hundreds of queries at once; the default socket buffer would drop
	// some and turn them into resolver timeouts.
	if u, ok := pc.(*net.UDPConn); ok {
		_ = u.SetReadBuffer(4 << 20)
	}
	udp := &dns.Server{PacketConn: pc, Handler: s.zone}
	tcp := &dns.Server{Listener: ln, Handler: s.zone}
	for _, srv := range []*dns.Server{udp, tcp} {
		started := make(chan struct{})
		failed := make(chan error, 1)
		srv.NotifyStartedFunc = func() { close(started) }
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := srv.ActivateAndServe(); err != nil {
				failed <- err
			}
		}()
		select {
		case <-started:
			s.dns = append(s.dns, srv)
		case err := <-failed:
			pc.Close()
			ln.Close()
			return fmt.Errorf("sandbox: DNS: %w", err)
		}
	}
	return nil
}
