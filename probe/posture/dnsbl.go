package posture

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// DNS blocklists (RFC 5782). mox's dnsbl package treats any A answer as "listed" unless its health check
// runs first; here the health check always runs first, and the answers that mean "not answered" are never
// read as a listing: Spamhaus's 127.255.255.252 (typo in the list name), 127.255.255.254 (query through a
// public or open resolver: refused) and 127.255.255.255 (too many queries), an address outside 127/8 (a
// resolver that rewrites answers), and a list that answers NXDOMAIN for its own test entry (a resolver or
// list that refuses everything). Every finding names the resolver, since the answer depends on it.

// DefaultBlocklists are asked when Env.Blocklists is nil.
var DefaultBlocklists = []string{"zen.spamhaus.org", "bl.spamcop.net"}

// dnsblState is one list's answer about one address.
type dnsblState int

const (
	dnsblClean dnsblState = iota
	dnsblListed
	dnsblUnknown
)

func checkDNSBL(ctx context.Context, env *Env, t Target) Finding {
	lists := env.Blocklists
	if lists == nil {
		lists = DefaultBlocklists
	}
	res := resolverName(env.Resolver)
	f := Finding{Name: t.SendingIP.String()}
	var listed, unknown []string
	for _, zone := range lists {
		st, line := askList(ctx, env, zone, t.SendingIP)
		f.Trace = append(f.Trace, line)
		switch st {
		case dnsblListed:
			listed = append(listed, zone)
		case dnsblUnknown:
			unknown = append(unknown, zone)
		}
	}
	switch {
	case len(listed) > 0:
		f.Verdict, f.Value = Fail, strings.Join(listed, ",")
		f.Meaning = fmt.Sprintf("%s is listed on %s (asked through resolver %s): receivers using these lists refuse its mail", t.SendingIP, strings.Join(listed, ", "), res)
		f.Instructions = []string{"find and stop the cause (a compromised account, an open relay, a bulk sender), then request removal on each list's website"}
	case len(unknown) > 0:
		f.Verdict = Unknown
		f.Meaning = fmt.Sprintf("%s could not be checked on %s through resolver %s (see the trace); this is not a listing", t.SendingIP, strings.Join(unknown, ", "), res)
		f.Instructions = []string{"check again with --resolver naming a resolver of your own (not a public or shared one): Spamhaus refuses queries from public resolvers"}
	default:
		f.Verdict, f.Value = OK, "clean"
		f.Meaning = fmt.Sprintf("%s is on none of %s (asked through resolver %s)", t.SendingIP, strings.Join(lists, ", "), res)
	}
	return f
}

// askList runs the list's health check (RFC 5782 section 5: 127.0.0.2 must be listed, 127.0.0.1 must
// not) and then asks about ip.
func askList(ctx context.Context, env *Env, zone string, ip netip.Addr) (dnsblState, string) {
	res := resolverName(env.Resolver)
	test, _ := listAnswer(ctx, env, zone, netip.AddrFrom4([4]byte{127, 0, 0, 2}))
	if test.state != dnsblListed {
		return dnsblUnknown, fmt.Sprintf("%s: could not check through resolver %s: its test entry 127.0.0.2 is not listed (%s), so the list does not answer this resolver", zone, res, test.why)
	}
	none, _ := listAnswer(ctx, env, zone, netip.AddrFrom4([4]byte{127, 0, 0, 1}))
	if none.state != dnsblClean {
		return dnsblUnknown, fmt.Sprintf("%s: could not check through resolver %s: it lists 127.0.0.1, which no list lists (%s), so its answers mean nothing", zone, res, none.why)
	}
	got, reason := listAnswer(ctx, env, zone, ip)
	switch got.state {
	case dnsblListed:
		line := fmt.Sprintf("%s: %s is listed (%s, through resolver %s)", zone, ip, got.why, res)
		if reason != "" {
			line += ": " + reason
		}
		return dnsblListed, line
	case dnsblUnknown:
		return dnsblUnknown, fmt.Sprintf("%s: could not check through resolver %s (%s)", zone, res, got.why)
	}
	return dnsblClean, fmt.Sprintf("%s: not listed (through resolver %s)", zone, res)
}

type listState struct {
	state dnsblState
	why   string
}

// listAnswer asks the list about one address and reads its answer; for a listing it also reads the
// list's TXT reason (capped).
func listAnswer(ctx context.Context, env *Env, zone string, ip netip.Addr) (listState, string) {
	name := reverseLabels(ip) + "." + zone
	msg, a := query(ctx, env.Resolver, name, dns.TypeA)
	if msg == nil {
		if a.err != nil {
			return listState{dnsblUnknown, fmt.Sprintf("no answer: %v", a.err)}, ""
		}
		return listState{dnsblClean, "NXDOMAIN"}, ""
	}
	var got []string
	for _, rr := range msg.Answer {
		ar, ok := rr.(*dns.A)
		if !ok {
			continue
		}
		got = append(got, ar.A.String())
		if why := notAListing(ar.A); why != "" {
			return listState{dnsblUnknown, fmt.Sprintf("answered %s: %s", ar.A, why)}, ""
		}
	}
	if len(got) == 0 {
		return listState{dnsblClean, "no A record"}, ""
	}
	reasons, _ := txt(ctx, env.Resolver, name)
	return listState{dnsblListed, "answered " + strings.Join(got, ", ")}, clip(strings.Join(reasons, " "))
}

// notAListing says why an A answer is not a listing, or "" when it is one (127.0.0.2-127.255.255.251).
func notAListing(a net.IP) string {
	v4 := a.To4()
	switch {
	case v4 == nil || v4[0] != 127:
		return "an address outside 127.0.0.0/8, so the resolver rewrites answers"
	case v4.Equal(net.IPv4(127, 255, 255, 252)):
		return "the list's name is misspelt (Spamhaus code)"
	case v4.Equal(net.IPv4(127, 255, 255, 254)):
		return "the query was refused: the list does not answer public or open resolvers (Spamhaus code)"
	case v4.Equal(net.IPv4(127, 255, 255, 255)):
		return "too many queries from this resolver (Spamhaus code)"
	case v4.Equal(net.IPv4(127, 0, 0, 1)), v4.Equal(net.IPv4(127, 0, 0, 0)):
		return "not a listing code"
	}
	return ""
}

// reverseLabels is the address in a list's query form: 192.0.2.7 → 7.2.0.192, IPv6 by nibbles.
func reverseLabels(ip netip.Addr) string {
	rev, _ := dns.ReverseAddr(ip.String())
	rev = strings.TrimSuffix(rev, ".in-addr.arpa.")
	return strings.TrimSuffix(rev, ".ip6.arpa.")
}
