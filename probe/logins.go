package probe

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// Logins protect the account being tested with two rules:
//
//   - The password or token goes only where the whole chain that led there is verified and was chosen
//     by the user (trust.go, MayReceiveSecrets): endpoints given explicitly, hosts inside the user's own
//     domain, hosts the domain's HTTPS autoconfig file or Autodiscover answer or the ISPDB lists. A host
//     outside the domain found only through SRV or MX records, or a file they led to, is not trusted
//     with it: DNS answers can be forged, and RFC 6186 section 6 asks clients to confirm such targets.
//   - At most one login that reaches the password per server and protocol, where a server is a machine
//     (see machines): on a typical hosting setup D, mail.D, imap.D, smtp.D and the MX all point at one, and one
//     failed login per name would trip fail2ban (maxretry 5) or cPHulk. When the server judges the
//     credentials, the other endpoints point at that test (same_as). When the attempt sent the password
//     but got no judgement (a timeout, a server error), nothing is retried: the server may have counted
//     it as a failure.
//
// The logins run after the probes (logins), when every endpoint of a server is known: the endpoint that
// ranks first (SSL/TLS, then the lower port, then the host name, then the address) is tried first, so
// which endpoint carries a server's login never depends on which probe finished first. It runs on that
// endpoint's own probe connection when the probe kept it (park): a probe whose connection has TLS and
// capabilities and could carry the login parks its session instead of quitting, at most one per address
// and protocol, the one that ranks first, so what is parked at the end does not depend on the order
// either. A parked session holds no connection slot (it waits for the logins, not for the network);
// --max-time closes it. Without one the login opens a connection of its own.

// serverKey is one server and protocol. A server is what machines.of names: one address, and with it
// every other address of a name that resolves to it (a dual-stack host's IPv4 and IPv6 are one machine).
type serverKey struct {
	server string
	proto  Protocol
}

// machines groups addresses into servers (union-find over host names and addresses): the addresses a
// name resolves to are one machine, and so are the names that share an address.
type machines struct {
	parent map[string]string
}

func (m *machines) find(x string) string {
	if m.parent == nil {
		m.parent = map[string]string{}
	}
	for {
		p, ok := m.parent[x]
		if !ok || p == x {
			return x
		}
		if gp, ok := m.parent[p]; ok && gp != p {
			m.parent[x] = gp // path halving
		}
		x = p
	}
}

func (m *machines) union(a, b string) {
	ra, rb := m.find(a), m.find(b)
	if ra == rb {
		return
	}
	m.parent[rb] = ra
}

// of records that host resolved to addr and names the server.
func (m *machines) of(host, addr string) string {
	m.union("a:"+addr, "h:"+host)
	return m.find("a:" + addr)
}

// logins settles the login of every server after the probes.
func (r *run) logins() {
	p := r.p
	if p.cfg.Credentials == nil {
		return
	}
	r.mu.Lock()
	for ep, results := range r.results {
		for _, res := range results {
			if res.Address != "" {
				r.servers.of(ep.Host, res.Address)
			}
		}
	}
	r.mu.Unlock()
	groups := map[serverKey][]*Result{}
	for ep, results := range r.results {
		sources := r.origins[ep].names()
		for i := range results {
			res := &results[i]
			if res.Auth == nil {
				code, summary, skip := p.loginBlocker(res)
				switch {
				case skip:
					continue
				case code != "":
					p.notTested(res, code, summary)
					continue
				}
				if why := secretRefusal(r.req.Domain, ep, sources, p.cfg.Credentials.Bound); why != "" {
					hint := fmt.Sprintf("; to test it, name it: mailcheck probe %s --user %s", ep.URL(), p.cfg.Credentials.User)
					if p.cfg.Credentials.Bound != nil {
						hint = ""
					}
					p.notTested(res, catalog.AuthNotAttempted, fmt.Sprintf("the %s was not sent to %s: %s%s",
						secretName(p.cfg.Credentials), res.Endpoint, why, hint))
					continue
				}
			}
			k := serverKey{server: r.servers.find("a:" + res.Address), proto: ep.Protocol}
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

// loginServer settles the login on one server (one address and protocol): at most one attempt reaches
// the password, and its verdict, when it judged the credentials, stands for the server's other endpoints.
func (r *run) loginServer(members []*Result) {
	p := r.p
	sort.SliceStable(members, func(i, j int) bool { return loginsBefore(members[i], members[j]) })
	var decided *Result // the member whose attempt reached the server
	for _, m := range members {
		if m.Auth != nil && m.Auth.sent {
			decided = m
		}
	}
	// Otherwise try the endpoints in order until the password reaches the server; an endpoint whose
	// attempt stopped before (no usable login method) keeps its finding.
	for _, m := range members {
		if decided != nil {
			break
		}
		if m.Auth != nil {
			continue
		}
		if Interrupted(r.ctx) {
			p.notTested(m, catalog.Interrupted, fmt.Sprintf("the login on %s was not tested: the run was interrupted", m.Endpoint))
			continue
		}
		if r.ctx.Err() != nil {
			p.notTested(m, catalog.TimeLimit, fmt.Sprintf("the login on %s was not tested: --max-time ran out first", m.Endpoint))
			continue
		}
		ps := r.unpark(m)
		r.proberFor(m).loginOn(r.ctx, m, ps.session())
		ps.close(false)
		if m.Auth.sent {
			decided = m
		}
	}
	if decided == nil {
		return
	}
	for _, o := range members {
		if o.Auth != nil {
			continue
		}
		decided.Auth.SharedBy = append(decided.Auth.SharedBy, o.Endpoint.URL())
		if credentialVerdict(decided.Auth) {
			o.Auth = &AuthResult{User: decided.Auth.User, OK: decided.Auth.OK, Mechanism: decided.Auth.Mechanism,
				SameAs: decided.Endpoint.URL() + " (" + decided.Address + ")", Problem: decided.Auth.Problem}
			continue
		}
		p.notTested(o, catalog.AuthNotAttempted, fmt.Sprintf(
			"the login was not repeated on %s: the same server (%s) gave no verdict on the password through %s, and a second attempt could count as another failed login",
			o.Endpoint, o.Address, decided.Endpoint.URL()))
	}
}

// loginsBefore is the order in which a server's endpoints are tried for its login (see logins).
func loginsBefore(a, b *Result) bool {
	if securityRank[a.Security] != securityRank[b.Security] {
		return securityRank[a.Security] < securityRank[b.Security]
	}
	if a.Port != b.Port {
		return a.Port < b.Port
	}
	if a.Host != b.Host {
		return a.Host < b.Host
	}
	if isIPv4(a.Address) != isIPv4(b.Address) {
		return isIPv4(a.Address)
	}
	return a.Address < b.Address
}

// parkKey is one address and protocol: a run keeps at most one probe's session for each.
type parkKey struct {
	addr  string
	proto Protocol
}

// parkedSession is a probe's connection kept for the login: TLS and capabilities are in.
type parkedSession struct {
	res  Result // the probe's result when it parked, for the order (loginsBefore)
	s    *session.Conn
	stop func() bool
}

// park keeps a probe's session for the logins when the endpoint could carry one and ranks before the
// session already kept for its address and protocol, which it then releases. It is the probes' parkHook.
func (r *run) park(res *Result, s *session.Conn, _ *session.Transcript, stop func() bool) bool {
	if code, _, skip := r.p.loginBlocker(res); skip || code != "" || r.ctx.Err() != nil {
		return false
	}
	ps := &parkedSession{res: *res, s: s, stop: stop}
	k := parkKey{res.Address, res.Protocol}
	r.mu.Lock()
	old := r.parked[k]
	if old != nil && !loginsBefore(res, &old.res) {
		r.mu.Unlock()
		return false
	}
	r.parked[k] = ps
	r.mu.Unlock()
	old.close(true)
	return true
}

// unpark takes the session parked for m's endpoint and address, when there is one and it is still
// quiet (a server that has closed it or spoken since would make the login's answer no verdict).
func (r *run) unpark(m *Result) *parkedSession {
	k := parkKey{m.Address, m.Protocol}
	r.mu.Lock()
	ps := r.parked[k]
	if ps == nil || ps.res.Endpoint != m.Endpoint {
		r.mu.Unlock()
		return nil
	}
	delete(r.parked, k)
	r.mu.Unlock()
	if !ps.quiet() {
		ps.close(false)
		return nil
	}
	return ps
}

// unparkAll releases the sessions no login used.
func (r *run) unparkAll() {
	r.mu.Lock()
	left := r.parked
	r.parked = map[parkKey]*parkedSession{}
	r.mu.Unlock()
	for _, ps := range left {
		ps.close(true)
	}
}

func (ps *parkedSession) session() *session.Conn {
	if ps == nil {
		return nil
	}
	return ps.s
}

// quiet says whether the parked connection is still open with nothing unread: a read that finds
// neither data nor the end of the stream within a moment.
func (ps *parkedSession) quiet() bool {
	s := ps.s
	if s.Reader.Buffered() > 0 {
		return false
	}
	_ = s.NetConn.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := s.Reader.Peek(1)
	_ = s.NetConn.SetReadDeadline(time.Time{})
	return session.IsTimeout(err)
}

// close ends a parked session, with the protocol's goodbye when quit is set (not after a login, which
// was the last word on it).
func (ps *parkedSession) close(quit bool) {
	if ps == nil {
		return
	}
	ps.stop()
	if quit {
		ps.s.Transcript = nil // the probe's transcript is complete
		session.Dialogues[ps.res.Protocol].Quit(ps.s)
	}
	ps.s.NetConn.Close()
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
	return a.Problem != nil && catalog.JudgesCredentials(a.Problem.Code)
}

// proberFor is the prober whose credentials log in on an endpoint: the login name its discovery source
// gives (LoginName, %EMAILLOCALPART%...) replaces the address, which is only a default; a --user the user
// typed always wins.
func (r *run) proberFor(res *Result) *Prober {
	r.mu.Lock()
	cr, user := r.p.cfg.Credentials, r.usernames[res.Endpoint] // Run has waited for every source
	r.mu.Unlock()
	if user == "" || cr.User != r.req.Address || user == cr.User {
		return r.p
	}
	c := *cr
	c.User = user
	p := *r.p
	p.cfg.Credentials = &c
	return &p
}
