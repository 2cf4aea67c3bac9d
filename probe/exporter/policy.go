package exporter

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
)

// AllowList says which targets the exporter probes, so that an exporter reachable by others cannot be
// used to probe (or hammer) arbitrary hosts. A target is allowed when its host (the domain of a domain
// or address, the server of an endpoint URL) matches one pattern:
//
//	example.com      exactly that name
//	*.example.com    any name below example.com (not example.com itself)
//	192.0.2.0/24     an IP literal in that prefix (endpoint URLs with an address)
//	192.0.2.7        that IP literal
//	*                anything
//
// The patterns restrict what may be asked for; discovery still follows the domain's own MX and SRV
// records wherever they point, as a mail client would.
type AllowList struct {
	any      bool
	exact    map[string]bool
	suffixes []string
	prefixes []netip.Prefix
}

// ParseAllowList reads --allow-target patterns. An empty list allows nothing.
func ParseAllowList(patterns []string) (*AllowList, error) {
	a := &AllowList{exact: map[string]bool{}}
	for _, raw := range patterns {
		p := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(raw), "."))
		switch {
		case p == "*":
			a.any = true
		case strings.Contains(p, "/"):
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("--allow-target %q: not a CIDR prefix (write e.g. 192.0.2.0/24)", raw)
			}
			a.prefixes = append(a.prefixes, pfx.Masked())
		case strings.HasPrefix(p, "*."):
			if err := probe.ValidateHost(p[2:]); err != nil || net.ParseIP(p[2:]) != nil {
				return nil, fmt.Errorf("--allow-target %q: after *. comes a domain, e.g. *.example.com", raw)
			}
			a.suffixes = append(a.suffixes, p[1:])
		default:
			if ip, err := netip.ParseAddr(p); err == nil {
				a.prefixes = append(a.prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			if strings.Contains(p, "*") {
				return nil, fmt.Errorf("--allow-target %q: '*' is allowed only alone or as the first label (*.example.com)", raw)
			}
			if err := probe.ValidateHost(p); err != nil {
				return nil, fmt.Errorf("--allow-target %q: %v", raw, err)
			}
			a.exact[p] = true
		}
	}
	return a, nil
}

// CheckLoginScope refuses to start an exporter whose --allow-target lets a scraper point a login module
// outside its account: '*', or a pattern *.S with the account's domain below S (*.test for
// mon@example.test), which would allow a domain next to the account's. Binds refuses such targets one by
// one anyway; a configuration that invites them is a mistake to say at start-up. Patterns disjoint from
// the domain (another domain for other modules, IP prefixes) are fine.
func CheckLoginScope(mods map[string]Module, a *AllowList) error {
	names := make([]string, 0, len(mods))
	for n := range mods {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := mods[n]
		if !m.Login {
			continue
		}
		d := probe.AccountDomain(m.User)
		wide := ""
		if a.any {
			wide = "*"
		}
		for _, s := range a.suffixes {
			if wide == "" && d != "" && strings.HasSuffix(d, s) {
				wide = "*" + s
			}
		}
		if wide != "" {
			allow := "its hosts (login_hosts)"
			if d != "" {
				allow = d + " and *." + d
			}
			return fmt.Errorf("module %s logs in as %s, and --allow-target %q would let whoever scrapes send its password outside %s: allow only %s, or serve that module from an exporter of its own",
				n, m.User, wide, orAccount(d), allow)
		}
	}
	return nil
}

func orAccount(d string) string {
	if d == "" {
		return "its login_hosts"
	}
	return d
}

// Empty says whether the list allows nothing.
func (a *AllowList) Empty() bool {
	return !a.any && len(a.exact) == 0 && len(a.suffixes) == 0 && len(a.prefixes) == 0
}

// AllowsHost matches one host name or IP literal.
func (a *AllowList) AllowsHost(host string) bool {
	if a.any {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		ip = ip.Unmap()
		for _, p := range a.prefixes {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	if a.exact[host] {
		return true
	}
	for _, s := range a.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// Allows matches a parsed request: its domain, or every endpoint's host.
func (a *AllowList) Allows(req probe.Request) bool {
	if len(req.Endpoints) == 0 {
		return a.AllowsHost(req.Domain)
	}
	for _, ep := range req.Endpoints {
		if !a.AllowsHost(ep.Host) {
			return false
		}
	}
	return true
}

// credentialWords are parts of query parameter names that carry a secret. A query with one is refused
// whatever its value: the exporter's URL ends up in Prometheus' configuration, its target list, its web
// UI and the exporter's debug page, none of which is a place for a password.
var credentialWords = []string{"pass", "pwd", "token", "secret", "credential", "auth", "apikey", "api_key", "bearer", "oauth", "login"}

// CredentialHint is where credentials go instead; it ends every refusal of a query that carries one.
const CredentialHint = "credentials never go in the URL: name them in the module instead (password_env or password_file in the modules file, see README \"mailcheck exporter\")"

// queryParams are the parameters /probe takes.
var queryParams = map[string]bool{"target": true, "module": true, "debug": true}

// CheckQuery refuses a query that carries a credential (in a parameter name, or as user:password@ in the
// target) or has parameters /probe does not take. The error is the 400 answer's text.
func CheckQuery(q url.Values) error {
	for key := range q {
		k := strings.ToLower(key)
		for _, w := range credentialWords {
			if strings.Contains(k, w) {
				return fmt.Errorf("refused: the query has a parameter %q: %s", key, CredentialHint)
			}
		}
	}
	for _, t := range q["target"] {
		if u, err := url.Parse(strings.TrimSpace(t)); err == nil && u.User != nil {
			return fmt.Errorf("refused: the target carries a user name or password (user:password@host): %s", CredentialHint)
		}
	}
	for key := range q {
		if !queryParams[key] {
			return fmt.Errorf("unknown parameter %q: /probe takes target, module and debug", key)
		}
	}
	if len(q["target"]) != 1 || strings.TrimSpace(q.Get("target")) == "" {
		return fmt.Errorf("give exactly one target=ADDRESS|DOMAIN|URL")
	}
	if len(q["module"]) > 1 {
		return fmt.Errorf("give at most one module=NAME")
	}
	return nil
}
