package probe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
)

// Who may receive the password or the OAuth2 token (README "Who receives your password or token"). A
// secret goes to an endpoint only when the whole chain that led there is verified and was chosen by the
// user:
//
//   - endpoint URLs the user typed;
//   - hosts inside the probed domain (the domain or a name below it: the certificate is checked against
//     that name, so a forged DNS answer cannot stand in for it);
//   - hosts a file fetched over verified HTTPS from the domain's own names lists (autoconfig,
//     Autodiscover), and hosts Mozilla's ISPDB lists, fetched from its own fixed host (also the entry of
//     the provider the MX host belongs to: curated, so a forged MX can only point it at another real
//     provider).
//
// Never trusted outside the domain: hosts only DNS answers name (SRV, MX: RFC 6186 section 6 asks clients
// to confirm them), names guessed or read from a certificate, anything reached over plain http or an
// unauthenticated redirect or SRV record, and the provider's own autoconfig file, whose host the MX answer
// chose (a valid certificate proves only that the file is that host's). Every consumer of a secret asks
// mayReceiveSecrets: the logins of probe and of the exporter's modules, send (TrustedOutgoing), and check
// (whose domain targets carry no secret at all, see check.Probe).

// vouchesOutside says whether the hosts a source names may receive secrets outside the domain: its row in
// discover.Sources. A source without a row vouches for nothing.
func vouchesOutside(source string) bool {
	s, _ := discover.Source(source)
	return s.VouchesOutside
}

// Binding ties credentials to their account: an exporter's login module, whose targets are chosen by
// whoever scrapes, not by the owner of the password. Bound credentials go only to the account's domain
// (a domain target inside it, or an endpoint URL whose host is inside it) and to the Hosts listed.
type Binding struct {
	// Domain is the account's domain, the domain of its address ("" when the user is no address).
	Domain string
	// Hosts are more hosts endpoint URLs may name (a module's login_hosts), lower case.
	Hosts []string
}

// AccountDomain is the domain of a login name that is an e-mail address, lower case, "" otherwise.
func AccountDomain(user string) string {
	i := strings.LastIndexByte(user, '@')
	if i < 0 || i == len(user)-1 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(user[i+1:], "."))
}

// Within says whether host is domain or a name below it (case and a trailing dot ignored).
func Within(host, domain string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	return domain != "" && (host == domain || strings.HasSuffix(host, "."+domain))
}

// Covers says whether bound credentials may be used for a request: a domain target inside the account's
// domain, or endpoint URLs each inside it or listed in Hosts. The reason says why not.
func (b *Binding) Covers(req Request) (bool, string) {
	if b == nil {
		return true, ""
	}
	if len(req.Endpoints) == 0 {
		if Within(req.Domain, b.Domain) {
			return true, ""
		}
		return false, fmt.Sprintf("%s is outside %s, the domain of the login's account", req.Domain, b.scope())
	}
	for _, ep := range req.Endpoints {
		if !b.coversHost(ep.Host) {
			return false, fmt.Sprintf("%s is outside %s", ep.Host, b.scope())
		}
	}
	return true, ""
}

func (b *Binding) coversHost(host string) bool {
	return Within(host, b.Domain) || slices.Contains(b.Hosts, strings.ToLower(strings.TrimSuffix(host, ".")))
}

// scope names what the binding allows, for refusals.
func (b *Binding) scope() string {
	var parts []string
	if b.Domain != "" {
		parts = append(parts, b.Domain)
	}
	if len(b.Hosts) > 0 {
		parts = append(parts, "login_hosts ("+strings.Join(b.Hosts, ", ")+")")
	}
	if len(parts) == 0 {
		return "the login's account"
	}
	return strings.Join(parts, " and ")
}

// MayReceiveSecrets says whether an endpoint may be sent the password or the OAuth2 token: domain is the
// probed domain ("" for endpoint URLs), sources every source that named the endpoint, bound the
// credentials' binding (nil for the user's own). One source that vouches for it is enough.
func MayReceiveSecrets(domain string, ep Endpoint, sources []string, bound *Binding) bool {
	return secretRefusal(domain, ep, sources, bound) == ""
}

// secretRefusal is why an endpoint may not receive a secret (see MayReceiveSecrets), "" when it may.
func secretRefusal(domain string, ep Endpoint, sources []string, bound *Binding) string {
	if bound != nil {
		req := Request{Domain: domain}
		if domain == "" {
			req.Endpoints = []Endpoint{ep}
		}
		if ok, why := bound.Covers(req); !ok {
			return why
		}
	}
	if Within(ep.Host, domain) || slices.ContainsFunc(sources, vouchesOutside) {
		return ""
	}
	return fmt.Sprintf("the host is outside %s and only %s named it, which can be forged (RFC 6186 section 6)", orNone(domain), forgedNames(sources))
}

// forgedNames says in words which forgeable sources named an endpoint.
func forgedNames(sources []string) string {
	var words []string
	for _, s := range sources {
		w := ""
		if row, ok := discover.Source(s); ok {
			w = row.ForgedBy
		}
		if w == "" {
			w = s
		}
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	switch len(words) {
	case 0:
		return "an unverified source"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func orNone(domain string) string {
	if domain == "" {
		return "the names given"
	}
	return domain
}

// sourcesOf are the sources of a reported endpoint: its list, or its one source in an older record.
func sourcesOf(e Result) []string {
	if len(e.Sources) > 0 {
		return e.Sources
	}
	if e.Source == "" {
		return []string{SourceExplicit}
	}
	return []string{e.Source}
}

// TrustedOutgoing is the best outgoing setting among the endpoints that may receive the user's secret
// (MayReceiveSecrets), for send. Without one, the error says why the recommended server may not.
func TrustedOutgoing(rep *Report, address string) (*Setting, error) {
	var trusted []Result
	for _, e := range rep.Endpoints {
		if MayReceiveSecrets(rep.Domain, e.Endpoint, sourcesOf(e), nil) {
			trusted = append(trusted, e)
		}
	}
	if s := chooseSettings(trusted, address).Outgoing; s != nil {
		return s, nil
	}
	out := rep.Settings.Outgoing
	if out == nil {
		return nil, fmt.Errorf("no working outgoing server was found for %s", rep.Domain)
	}
	ep := Endpoint{Protocol: SMTP, Host: out.Server, Port: out.Port, Security: out.Security}
	return nil, fmt.Errorf("the outgoing server %s is not sent your password or token: %s; to send through it, name it: --server %s",
		out.Server, secretRefusal(rep.Domain, ep, out.Sources, nil), ep.URL())
}

// confirmSettings warns about a recommended setting no source vouches for (settings_unconfirmed): a
// user who types the password there trusts a chain mailcheck would not send it through.
func (r *run) confirmSettings() {
	rep := r.report
	for _, c := range []struct {
		label string
		s     *Setting
	}{{"incoming", rep.Settings.Incoming}, {"outgoing", rep.Settings.Outgoing}} {
		s := c.s
		if s == nil {
			continue
		}
		sources := s.Sources
		if len(sources) == 0 {
			sources = []string{s.Source}
		}
		ep := Endpoint{Protocol: s.Protocol, Host: s.Server, Port: s.Port, Security: s.Security}
		if MayReceiveSecrets(r.req.Domain, ep, sources, nil) {
			continue
		}
		s.Warning = fmt.Sprintf("named only by %s, which can be forged: confirm these are your provider's servers before typing your password", forgedNames(sources))
		rep.Problems = append(rep.Problems, newProblem(catalog.SettingsUnconfirmed,
			fmt.Sprintf("the %s server %s is outside %s and %s", c.label, s.Server, r.req.Domain, s.Warning), ""))
	}
}

// WithoutSecrets is the Prober without credentials, for a run where no login is wanted although the
// caller holds one (check's domain targets: discovery, not the user, chooses their servers).
func (p *Prober) WithoutSecrets() *Prober {
	q := *p
	q.cfg.Credentials = nil
	return &q
}
