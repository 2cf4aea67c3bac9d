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
//   - At most one login that reaches the password per server and protocol, where a server is an address:
//     on a typical hosting setup D, mail.D, imap.D, smtp.D and the MX all point at one machine, and one
//     failed login per name would trip fail2ban (maxretry 5) or cPHulk. The best endpoint of the server
//     is tried (SSL/TLS before STARTTLS); when the server judges the credentials, the other endpoints
//     point at that test (same_as). When the attempt sent the password but got no judgement (a timeout,
//     a server error), nothing is retried: the server may have counted it as a failure.
func (r *run) logins() {
	p := r.p
	if p.cfg.Credentials == nil {
		return
	}
	type key struct {
		addr  string
		proto Protocol
	}
	groups := map[key][]*Result{}
	for ep, results := range r.results {
		sources := r.origins[ep].names()
		for i := range results {
			res := &results[i]
			code, summary, skip := p.loginBlocker(res)
			switch {
			case skip:
				continue
			case code != "":
				p.notTested(res, code, summary)
				continue
			case !trustedFor(r.req.Domain, ep, sources):
				p.notTested(res, catalog.AuthNotAttempted, fmt.Sprintf(
					"the password was not sent to %s: the host is outside %s and was found only through DNS (%s), which can be forged (RFC 6186 section 6); to test it, name it: mailcheck probe %s --user %s",
					res.Endpoint, r.req.Domain, strings.ToUpper(strings.Join(sources, ", ")), ep.URL(), p.cfg.Credentials.User))
				continue
			}
			k := key{addr: res.Address, proto: ep.Protocol}
			groups[k] = append(groups[k], res)
		}
	}
	var wg sync.WaitGroup
	for _, members := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.loginServer(members)
		}()
	}
	wg.Wait()
}

// loginServer tests the login on one server (one address and protocol), at most once up to the password.
func (r *run) loginServer(members []*Result) {
	p := r.p
	sort.SliceStable(members, func(i, j int) bool {
		a, b := members[i], members[j]
		if securityRank[a.Security] != securityRank[b.Security] {
			return securityRank[a.Security] < securityRank[b.Security]
		}
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		return a.Host < b.Host
	})
	var names []string
	for _, m := range members {
		names = append(names, m.Endpoint.URL())
	}
	// Try the endpoints in order until the password reaches the server: a verdict on the credentials
	// (accepted, or refused for a reason of the account) then stands for the whole server.
	for i, m := range members {
		if r.ctx.Err() != nil {
			p.notTested(m, catalog.TimeLimit, fmt.Sprintf("the login on %s was not tested: --max-time ran out first", m.Endpoint))
			continue
		}
		p.loginOn(r.ctx, m)
		if !m.Auth.sent {
			continue // nothing reached the server: the next endpoint may still work
		}
		rest := members[i+1:]
		if len(rest) > 0 {
			m.Auth.SharedBy = append(append([]string(nil), names[:i]...), names[i+1:]...)
		}
		for _, o := range rest {
			if credentialVerdict(m.Auth) {
				o.Auth = &AuthResult{User: m.Auth.User, OK: m.Auth.OK, Mechanism: m.Auth.Mechanism,
					SameAs: m.Endpoint.URL() + " (" + m.Address + ")", Problem: m.Auth.Problem}
				continue
			}
			p.notTested(o, catalog.AuthNotAttempted, fmt.Sprintf(
				"the login was not repeated on %s: the same server (%s) gave no verdict on the password through %s, and a second attempt could count as another failed login",
				o.Endpoint, o.Address, m.Endpoint.URL()))
		}
		return
	}
}

// trustedFor says whether an endpoint may receive the password (see logins): one of its sources is
// enough, so a provider host that both SRV and the HTTPS autoconfig file name is trusted.
func trustedFor(domain string, ep Endpoint, sources []string) bool {
	if hasSource(sources, SourceExplicit) || hasSource(sources, SourceAutoconfig) {
		return true
	}
	return domain != "" && (ep.Host == domain || strings.HasSuffix(ep.Host, "."+domain))
}

// TrustedOutgoing is the best outgoing setting among the endpoints that may receive the user's password
// (given explicitly, in the probed domain, or named by its HTTPS autoconfig file), or nil.
func TrustedOutgoing(rep *Report, address string) *Setting {
	var trusted []Result
	for _, e := range rep.Endpoints {
		sources := e.Sources
		if len(sources) == 0 {
			sources = []string{e.Source}
		}
		if trustedFor(rep.Domain, e.Endpoint, sources) {
			trusted = append(trusted, e)
		}
	}
	return chooseSettings(trusted, address).Outgoing
}

// credentialVerdict says whether a login test judged the credentials themselves: accepted, or refused for
// a reason of the account, which holds for every endpoint of the server. A connection, TLS or mechanism
// failure says nothing about the password.
func credentialVerdict(a *AuthResult) bool {
	if a == nil || !a.Tested {
		return false
	}
	if a.OK {
		return true
	}
	switch a.Problem.Code {
	case catalog.AuthFailed, catalog.AuthAppPassword, catalog.AuthBasicDisabled, catalog.AuthAccountDisabled:
		return true
	}
	return false
}
