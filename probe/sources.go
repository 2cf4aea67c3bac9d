package probe

import (
	"context"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/discover"
)

// AutoconfigLookup is one fetch of a mail client configuration file (kept for the JSON "autoconfig"
// field; "discovery" has every source).
type AutoconfigLookup = discover.Lookup

// fetcher is the HTTP of the discovery sources: names resolved by the run's own resolver, so a fetch sees
// the same DNS as the probes, and the run's trust roots.
func (r *run) fetcher() *discover.Fetcher {
	return &discover.Fetcher{
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			addrs, err := r.resolve(host)
			if err != nil {
				return nil, err
			}
			if net.ParseIP(host) == nil {
				r.noteInternal(host, addrs[0], "where discovery fetches settings from")
			}
			conn, err := r.p.cfg.Dialer.DialContext(ctx, network, net.JoinHostPort(addrs[0], port))
			if err != nil {
				r.noteRefusedFetch(host, err)
			}
			return conn, err
		},
		// The transport dials from goroutines of its own, which must only wait for a lookup, never start
		// one: the fetch starts it first, in a goroutine Run waits for.
		Prepare: func(host string) { r.lookupHost(host) },
		RootCAs: r.p.cfg.RootCAs,
		Timeout: 3 * r.p.cfg.Timeout, // connect, handshake, request
	}
}

// sources starts every HTTP discovery source of the domain at once, beside the DNS queries: the
// autoconfig files (https and http), the ISPDB entry and, for an address, Autodiscover (its SRV target
// as soon as that answer is in). The MX-derived provider starts from the MX answer (provider).
func (r *run) sources() {
	d, addr := r.req.Domain, r.req.Address
	f := r.fetcher()
	for _, a := range discover.AutoconfigURLs(d, addr) {
		r.ask(func() discover.Lookup { return f.FetchConfig(r.ctx, a, d, addr) })
	}
	if base := r.p.cfg.ISPDB; base != "" {
		a := discover.ISPDBAttempt(discover.ISPDB, base, d)
		r.ask(func() discover.Lookup { return f.ISPDB(r.ctx, a, d, addr) })
	}
	if addr == "" {
		return // Autodiscover answers about an address; a bare domain has none to ask about
	}
	for _, a := range discover.AutodiscoverURLs(d) {
		r.ask(func() discover.Lookup { return f.Autodiscover(r.ctx, a, addr) })
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		msg, err := r.query("_autodiscover._tcp."+d+".", dns.TypeSRV)
		if err != nil || msg.Rcode != dns.RcodeSuccess {
			return
		}
		var best *dns.SRV
		for _, rr := range msg.Answer {
			if srv, ok := rr.(*dns.SRV); ok && srv.Target != "." && (best == nil || srv.Priority < best.Priority) {
				best = srv
			}
		}
		if best != nil && ValidateHost(strings.TrimSuffix(best.Target, ".")) == nil {
			a := discover.AutodiscoverSRV(d, best.Target)
			r.ask(func() discover.Lookup { return f.Autodiscover(r.ctx, a, addr) })
		}
	}()
}

// provider asks about the mail provider the most preferred MX host belongs to (its registrable domain
// and the subdomain below it): its ISPDB entry and its own autoconfig file.
func (r *run) provider(mxHost string) {
	d, addr := r.req.Domain, r.req.Address
	f := r.fetcher()
	for _, pd := range discover.ProviderDomains(mxHost, d) {
		// The provider's own usual names are resolved while its file is fetched: most provider files
		// name them, and a server a file names then waits for no lookup of its own after the file.
		for _, guess := range discover.ProviderGuesses(pd) {
			r.lookupHost(guess)
		}
		for _, a := range discover.ProviderAttempts(pd, r.p.cfg.ISPDB) {
			if strings.Contains(a.URL, "://") {
				r.ask(func() discover.Lookup { return f.FetchConfig(r.ctx, a, d, addr) })
			} else {
				r.ask(func() discover.Lookup { return f.ISPDB(r.ctx, a, d, addr) })
			}
		}
	}
}

// ask runs one source in a goroutine Run waits for, records what it answered and plans a probe of each
// server it lists as soon as the answer is in.
func (r *run) ask(source func() discover.Lookup) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		asked := time.Now()
		l := source()
		l.StartedMS = r.since(asked)
		l.Servers = r.limitSource(l)
		r.mu.Lock()
		r.report.Discovery = append(r.report.Discovery, l)
		if l.Source == discover.Autoconfig {
			r.report.Autoconfig = append(r.report.Autoconfig, l)
		}
		for _, s := range l.Servers {
			r.claims = append(r.claims, claim{source: l.Source, where: l.URL, ep: s.Endpoint})
			if s.Username != "" && r.usernames[s.Endpoint] == "" && !discover.Forgeable(l.Source) {
				r.usernames[s.Endpoint] = s.Username
			}
		}
		r.mu.Unlock()
		for i, s := range l.Servers {
			r.plan(s.Endpoint, origin{source: l.Source, order: [2]int{i}}) // the answer's order is its preference
		}
	}()
}

// claim is one source naming one endpoint, kept to compare the sources (disagree.go).
type claim struct {
	source string
	// where is the URL or record name the source was read from.
	where string
	ep    Endpoint
}

// sortDiscovery orders the source records for a stable report.
func sortDiscovery(list []discover.Lookup) {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Source != list[j].Source {
			return list[i].Source < list[j].Source
		}
		return list[i].URL < list[j].URL
	})
}

// sourceLabel says in words where a source's answer came from, for summaries (discover.Sources).
func sourceLabel(source string) string {
	if s, ok := discover.Source(source); ok {
		return s.Label
	}
	return source
}

// labelProvider marks a setting that points outside the user's domain at a provider's server, named by
// a provider source: the domain hosts no mail itself and users get the provider's settings.
func labelProvider(s *Setting, domain string) {
	if s == nil || domain == "" || s.Server == domain || strings.HasSuffix(s.Server, "."+domain) {
		return
	}
	if row, _ := discover.Source(s.Source); row.SpeaksForProvider {
		s.Provider = discover.RegistrableDomain(s.Server)
	}
}

// annotateAuthentication gives each recommended setting the login methods a discovery source names for its
// server, so that a user sees that a provider wants OAuth2 before typing a password.
func annotateAuthentication(rep *Report) {
	for _, s := range []*Setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
		if s == nil {
			continue
		}
		ep := Endpoint{Protocol: s.Protocol, Host: s.Server, Port: s.Port, Security: s.Security}
		for _, l := range rep.Discovery {
			for _, srv := range l.Servers {
				if srv.Endpoint != ep {
					continue
				}
				for _, label := range srv.Authentication {
					if !slices.Contains(s.Authentication, label) {
						s.Authentication = append(s.Authentication, label)
					}
				}
			}
		}
	}
}
