package probe

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
)

// noteInternal warns, on the command line (no connection policy), when the discovery of a public domain
// leads to an internal address: mailcheck may reach it from where it runs, but no user's device outside
// that network can, so the records are wrong for everyone else. What the user typed (an endpoint URL, an
// IP literal) gets no warning: a helpdesk may test an internal server on purpose. why says what named
// the host ("named by the domain's MX records").
func (r *run) noteInternal(host, addr, why string) {
	if r.p.cfg.Policy != nil || len(r.req.Endpoints) > 0 || !publicDomain(r.req.Domain) {
		return
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return
	}
	reason, internal := netpolicy.Internal(a)
	if !internal || !r.firstNote("internal "+host+" "+addr) {
		return
	}
	summary := fmt.Sprintf("%s (%s) resolves to %s, %s: no device outside that network can reach it", host, why, addr, reason)
	if host == addr {
		summary = fmt.Sprintf("%s (%s) is %s: no device outside that network can reach it", host, why, reason)
	}
	r.addProblem(newProblem(catalog.InternalAddress, summary, ""))
}

// noteRefusedFetch reports a discovery fetch the connection policy refused, once per address: the
// source is missing from the discovery, so the run says why.
func (r *run) noteRefusedFetch(host string, err error) {
	var denied *netpolicy.DeniedError
	if !errors.As(err, &denied) || !r.firstNote("refused "+denied.Address) {
		return
	}
	pr := newProblem(catalog.AddressNotAllowed, fmt.Sprintf("discovery did not fetch from %s (%s): %s", host, denied.Address, denied.Reason), "")
	pr.Severity = catalog.Warn // a source is missing; the servers found elsewhere are judged on their own
	r.addProblem(pr)
}

// firstNote says whether key is new to this run.
func (r *run) firstNote(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hostProblems[key] {
		return false
	}
	r.hostProblems[key] = true
	return true
}

// publicDomain says whether d is a domain on the Internet: below a top-level domain in the ICANN section
// of the public suffix list. The special-use names (RFC 6761 .test, .example, .invalid, .localhost;
// .local, .internal, home.arpa of RFC 8375) are not: internal addresses are what they are for.
func publicDomain(d string) bool {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	if net.ParseIP(d) != nil || !strings.Contains(d, ".") || d == "home.arpa" || strings.HasSuffix(d, ".home.arpa") {
		return false
	}
	tld := d[strings.LastIndexByte(d, '.')+1:]
	_, icann := publicsuffix.PublicSuffix(tld)
	return icann
}
