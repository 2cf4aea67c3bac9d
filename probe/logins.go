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
			// Try the endpoints in order until one gives a verdict on the credentials (accepted, or
			// refused for a reason of the account); that verdict then stands for the whole server.
			for i, m := range members {
				if r.ctx.Err() != nil {
					p.notTested(m, catalog.TimeLimit, fmt.Sprintf("the login on %s was not tested: --max-time ran out first", m.Endpoint))
					continue
				}
				p.loginOn(r.ctx, m)
				if !credentialVerdict(m.Auth) {
					continue
				}
				for _, o := range members[i+1:] {
					o.Auth = &AuthResult{User: m.Auth.User, OK: m.Auth.OK, Mechanism: m.Auth.Mechanism,
						SameAs: m.Endpoint.URL() + " (" + m.Address + ")", Problem: m.Auth.Problem}
				}
				return
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

// TrustedOutgoing is the best outgoing setting among the endpoints that may receive the user's password
// (given explicitly, in the probed domain, or named by its HTTPS autoconfig file), or nil.
func TrustedOutgoing(rep *Report, address string) *Setting {
	var trusted []Result
	for _, e := range rep.Endpoints {
		if trustedFor(rep.Domain, e.Endpoint, e.Source) {
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
	return oauthVerdict(a.Problem.Code)
}
