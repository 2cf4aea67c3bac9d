package probe

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// logins tests the credentials after the probes, with two rules that protect the user's account:
//
//   - The password goes only to servers the user can be said to have chosen: endpoints given explicitly,
//     hosts inside the user's own domain, and hosts listed in the domain's autoconfig file (fetched over
//     HTTPS). A host outside the domain found only through SRV or MX records is not trusted with it:
//     DNS answers can be forged, and RFC 6186 section 6 asks clients to confirm such targets.
//   - One login per server and protocol (the best endpoint: SSL/TLS before STARTTLS, IPv4 first), not
//     one per port and address: a wrong password must not become a dozen failed logins that lock the
//     account or trip fail2ban. The other endpoints of the server point at that test (same_as).
//
// Explicit endpoints are each tested: the user listed them.
func (r *run) logins() {
	p := r.p
	if p.cfg.Credentials == nil {
		return
	}
	type key struct {
		host  string
		proto Protocol
		ep    Endpoint // set only for explicit endpoints: each is its own group
	}
	groups := map[key][]*Result{}
	for ep, results := range r.results {
		for i := range results {
			res := &results[i]
			code, summary, skip := p.loginBlocker(res)
			switch {
			case skip:
				continue
			case code != "":
				p.notTested(res, code, summary)
				continue
			case !r.trusted(ep, r.source[ep]):
				p.notTested(res, catalog.AuthNotAttempted, fmt.Sprintf(
					"the password was not sent to %s: the host is outside %s and was found only through DNS (%s), which can be forged (RFC 6186 section 6); to test it, name it: mailcheck probe %s --user %s",
					res.Endpoint, r.req.Domain, strings.ToUpper(r.source[ep]), ep.URL(), p.cfg.Credentials.User))
				continue
			}
			k := key{host: ep.Host, proto: ep.Protocol}
			if r.source[ep] == SourceExplicit {
				k.ep = ep
			}
			groups[k] = append(groups[k], res)
		}
	}
	var wg sync.WaitGroup
	for _, members := range groups {
		sort.SliceStable(members, func(i, j int) bool {
			a, b := members[i], members[j]
			if securityRank[a.Security] != securityRank[b.Security] {
				return securityRank[a.Security] < securityRank[b.Security]
			}
			if isIPv4(a.Address) != isIPv4(b.Address) {
				return isIPv4(a.Address)
			}
			return a.Port < b.Port
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep := members[0]
			p.loginOn(r.ctx, rep)
			for _, m := range members[1:] {
				m.Auth = &AuthResult{User: rep.Auth.User, OK: rep.Auth.OK, Mechanism: rep.Auth.Mechanism,
					SameAs: rep.Endpoint.URL() + " (" + rep.Address + ")", Problem: rep.Auth.Problem}
			}
		}()
	}
	wg.Wait()
}

// trusted says whether an endpoint may receive the password (see logins).
func (r *run) trusted(ep Endpoint, source string) bool {
	return trustedFor(r.req.Domain, ep, source)
}

func trustedFor(domain string, ep Endpoint, source string) bool {
	if source == SourceExplicit || source == SourceAutoconfig {
		return true
	}
	return domain != "" && (ep.Host == domain || strings.HasSuffix(ep.Host, "."+domain))
}

// Trusted says whether a report's endpoint may receive the user's password: one given explicitly, in
// the probed domain, or named by its HTTPS autoconfig file.
func Trusted(rep *Report, ep Endpoint) bool {
	for _, e := range rep.Endpoints {
		if e.Endpoint == ep {
			return trustedFor(rep.Domain, ep, e.Source)
		}
	}
	return false
}
