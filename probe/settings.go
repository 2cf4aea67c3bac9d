package probe

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
)

// chooseSettings picks what to type into a mail client, ranking the way mail clients do (Thunderbird: a
// configuration the domain publishes wins outright; preferences such as SSL/TLS over STARTTLS apply only
// inside one source):
//
//  1. the source: explicit > the domain's autoconfig file > SRV (RFC 6186/8314) > guessed names > MX hosts,
//     so an inbound relay that also answers on 465 never beats the published or the guessed server;
//  2. inside a source: a login the server refused ranks last; IMAP before POP3; SMTP port 25 last;
//  3. the source's own order: the autoconfig file's order; for SRV, SSL/TLS first when both _submissions
//     and _submission (or _imaps and _imap) are published (RFC 8314 section 5.1), then priority and
//     weight (RFC 2782); for guesses, Thunderbird's name order (imap./pop./smtp., mail., the domain);
//     for MX hosts, their preference;
//  4. security (SSL/TLS before STARTTLS, RFC 8314 section 3), then warnings.
//
// Only endpoints with verified TLS qualify: a setting that needs the user to accept a bad certificate
// or send a password in clear text is no recommendation.
func chooseSettings(results []Result, address string) Settings {
	// A rejected login does not make a server unusable: the settings are still the ones to type, and the
	// setting says the login failed (the run still fails).
	// An endpoint is as good as its worst address: a client on IPv6 that meets a bad certificate there
	// does not fall back to IPv4 (only a failed connect does, and compareFamilies has made that a warning).
	broken := map[Endpoint]bool{}
	for _, r := range results {
		if connectionStatus(r) == StatusFail {
			broken[r.Endpoint] = true
		}
	}
	usable := func(r Result) bool {
		return !broken[r.Endpoint] && r.TLS != nil && r.TLS.Verified
	}
	var in, out []Result
	for _, r := range results {
		if !usable(r) {
			continue
		}
		switch {
		case r.Protocol.Incoming():
			in = append(in, r)
		case r.Protocol.Outgoing() && (r.Port != 25 || len(r.AuthMechanisms) > 0):
			// Port 25 is for server-to-server mail and widely blocked for clients; only a server that
			// offers AUTH there is a (last-resort) sending setting.
			out = append(out, r)
		}
	}
	sortSettings(in)
	sortSettings(out)
	var s Settings
	if len(in) > 0 {
		s.Incoming = settingOf(in[0], address)
	}
	if len(out) > 0 {
		s.Outgoing = settingOf(out[0], address)
	}
	return s
}

// settingRank is the sort key of chooseSettings, lower first.
func settingRank(r Result) []int {
	port25 := 0
	if r.Port == 25 {
		port25 = 1
	}
	warn := 0
	if connectionStatus(r) == StatusWarn {
		warn = 1
	}
	// A login the server refused ranks below one accepted or not judged: an untested IMAP server still
	// beats a POP3 server where the login worked (the password is the account's, not the server's).
	refused := 0
	if a := r.Auth; a != nil && !a.OK && a.Problem != nil && (a.Tested || a.SameAs != "") && credentialVerdict(&AuthResult{Tested: true, Problem: a.Problem}) {
		refused = 1
	}
	source := r.Source
	if source == "" {
		source = SourceExplicit
	}
	var order []int
	switch source {
	case SourceSRV:
		order = []int{securityRank[r.Security], r.order[0], r.order[1]}
	case SourceGuess:
		order = []int{nameRank(r), 0, 0}
	default:
		order = []int{r.order[0], r.order[1], nameRank(r)}
	}
	key := []int{discover.Rank(source), refused, r.Protocol.Rank(), port25}
	key = append(key, order...)
	return append(key, securityRank[r.Security], warn)
}

// sortSettings orders candidate endpoints of one direction, best first.
func sortSettings(list []Result) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := settingRank(list[i]), settingRank(list[j])
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		if list[i].Host != list[j].Host {
			return list[i].Host < list[j].Host
		}
		return isIPv4(list[i].Address) && !isIPv4(list[j].Address)
	})
}

func settingOf(r Result, address string) *Setting {
	st := &Setting{
		Protocol:      r.Protocol,
		Server:        r.Host,
		Port:          r.Port,
		Security:      r.Security,
		Source:        r.Source,
		Sources:       r.Sources,
		SecurityLabel: r.Security.Label(),
		RequiresAuth:  len(r.AuthMechanisms) > 0,
		Username:      address,
	}
	if r.Username != "" {
		st.Username = r.Username // the login name the endpoint's source gives
	}
	if r.Auth != nil && (r.Auth.Tested || r.Auth.SameAs != "") {
		st.Username = r.Auth.User
		st.LoginVerified = r.Auth.OK
		st.LoginMechanism = r.Auth.Mechanism
		if !r.Auth.OK && r.Auth.Problem != nil && r.Auth.Problem.Severity == catalog.Fail {
			st.LoginProblem = r.Auth.Problem.Code
		}
	}
	return st
}

// connectionStatus rates an endpoint without its login test: whether the server, port and security
// mode work.
func connectionStatus(r Result) Status {
	if r.Auth == nil || r.Auth.Problem == nil {
		return r.Status
	}
	var rest []Problem
	for _, p := range r.Problems {
		if p.Code != r.Auth.Problem.Code || p.Summary != r.Auth.Problem.Summary {
			rest = append(rest, p)
		}
	}
	return statusOf(rest)
}

// nameRank prefers the host name a mail client would guess for the protocol (imap., pop., smtp.) over
// mail. and over anything else, as Thunderbird's guess order does.
func nameRank(r Result) int {
	first, _, _ := strings.Cut(r.Host, ".")
	t, _ := TraitsOf(r.Protocol)
	switch {
	case slices.Contains(t.GuessLabels, first):
		return 0
	case first == "mail":
		return 1
	}
	return 2
}

// missingSettings says why a domain has no incoming or no outgoing setting, when endpoints were probed
// but none of a direction works: what was tried (how many endpoints on which hosts) and how they failed,
// so a failed run never ends without a reason (a domain whose guessed names all refuse has no other
// problem the text report shows).
func missingSettings(rep *Report) []Problem {
	var out []Problem
	for _, d := range []struct {
		missing bool
		code    string
		what    string
		of      func(Result) bool
	}{
		{rep.Settings.Incoming == nil, catalog.NoIncomingServer, "incoming (IMAP or POP3)", func(r Result) bool { return r.Protocol.Incoming() }},
		{rep.Settings.Outgoing == nil, catalog.NoOutgoingServer, "outgoing (SMTP submission)", func(r Result) bool { return r.Protocol.Outgoing() }},
	} {
		if !d.missing {
			continue
		}
		endpoints, hosts, causes := map[Endpoint]bool{}, []string{}, map[string]int{}
		var causeOrder []string
		for _, r := range rep.Endpoints {
			if !d.of(r) {
				continue
			}
			if !endpoints[r.Endpoint] && !slices.Contains(hosts, r.Host) {
				hosts = append(hosts, r.Host)
			}
			endpoints[r.Endpoint] = true
			cause := "works only with a certificate that is not valid"
			if len(r.Problems) > 0 {
				cause = r.Problems[0].Title()
			}
			if r.Protocol == SMTP && r.Port == 25 && r.Status != StatusFail {
				cause = "port 25 answers but offers no login (it is for mail between servers)"
			}
			if causes[cause] == 0 {
				causeOrder = append(causeOrder, cause)
			}
			causes[cause]++
		}
		if len(endpoints) == 0 {
			out = append(out, newProblem(d.code, fmt.Sprintf("no %s server was found for %s", d.what, rep.Domain), ""))
			continue
		}
		sort.SliceStable(causeOrder, func(i, j int) bool { return causes[causeOrder[i]] > causes[causeOrder[j]] })
		var how []string
		for _, c := range causeOrder {
			how = append(how, fmt.Sprintf("%d× %s", causes[c], strings.ToLower(c[:1])+c[1:]))
		}
		shown := hosts
		if len(shown) > 4 {
			shown = append(slices.Clone(hosts[:4]), fmt.Sprintf("%d more", len(hosts)-4))
		}
		allConnect := true
		for _, r := range rep.Endpoints {
			if d.of(r) && !connectFailed(r) {
				allConnect = false
			}
		}
		tried := fmt.Sprintf("%d endpoints", len(endpoints))
		if len(endpoints) == 1 {
			tried = "1 endpoint"
		}
		summary := fmt.Sprintf("no %s server works for %s: %s tried on %s; %s", d.what, rep.Domain,
			tried, strings.Join(shown, ", "), strings.Join(how, ", "))
		if allConnect {
			summary = fmt.Sprintf("nothing answers on the %s mail ports of %s: %s tried on %s; %s", d.what, rep.Domain,
				tried, strings.Join(shown, ", "), strings.Join(how, ", "))
		}
		out = append(out, newProblem(d.code, summary, ""))
	}
	return out
}

// unoffered says whether an endpoint is only a guess that nothing answers: a refused port on a name
// mailcheck guessed (or a source other than the user or an SRV record named) is the normal sign of a
// service not offered there, not a problem to explain (Result.Unoffered).
func unoffered(e Result) bool {
	if e.Source == SourceExplicit || e.Source == SourceSRV || len(e.Problems) == 0 {
		return false
	}
	for _, p := range e.Problems {
		if p.Code != catalog.ConnectRefused {
			return false
		}
	}
	return true
}
