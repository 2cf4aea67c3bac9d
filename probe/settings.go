package probe

import (
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// chooseSettings picks what to type into a mail client: the best working incoming endpoint (IMAP before
// POP3, implicit TLS before STARTTLS, RFC 8314 section 3) and the best working submission endpoint.
// Only endpoints with verified TLS qualify: a setting that needs the user to accept a bad certificate
// or send a password in clear text is no recommendation.
func chooseSettings(results []Result, address string) Settings {
	// A rejected login does not make a server unusable: the settings are still the ones to type, and the
	// setting says the login failed (the run still fails).
	usable := func(r Result) bool {
		return connectionStatus(r) != StatusFail && r.TLS != nil && r.TLS.Verified
	}
	var in, out []Result
	for _, r := range results {
		if !usable(r) {
			continue
		}
		switch {
		case r.Protocol == IMAP || r.Protocol == POP3:
			in = append(in, r)
		case r.Protocol == SMTP && (r.Port != 25 || len(r.AuthMechanisms) > 0):
			// Port 25 is for server-to-server mail and widely blocked for clients; only a server that
			// offers AUTH there is a (last-resort) sending setting.
			out = append(out, r)
		}
	}
	rank := func(r Result) []int {
		port25 := 0
		if r.Port == 25 {
			port25 = 1
		}
		warn := 0
		if connectionStatus(r) == StatusWarn {
			warn = 1
		}
		// With credentials: a verified login first, then endpoints where it could not be judged, then
		// those where it was refused.
		loginFailed := 1
		switch {
		case r.Auth == nil:
		case r.Auth.OK:
			loginFailed = 0
		case r.Auth.Tested || r.Auth.SameAs != "":
			loginFailed = 2
		}
		// A server where the login works beats one where it fails, whatever the protocol.
		return []int{loginFailed, protoRank[r.Protocol], port25, warn, securityRank[r.Security], sourceRank[r.Source], nameRank(r)}
	}
	less := func(list []Result) func(i, j int) bool {
		return func(i, j int) bool {
			a, b := rank(list[i]), rank(list[j])
			for k := range a {
				if a[k] != b[k] {
					return a[k] < b[k]
				}
			}
			return list[i].Host < list[j].Host
		}
	}
	sort.SliceStable(in, less(in))
	sort.SliceStable(out, less(out))
	var s Settings
	if len(in) > 0 {
		s.Incoming = settingOf(in[0], address)
	}
	if len(out) > 0 {
		s.Outgoing = settingOf(out[0], address)
	}
	return s
}

func settingOf(r Result, address string) *Setting {
	st := &Setting{
		Protocol:      r.Protocol,
		Server:        r.Host,
		Port:          r.Port,
		Security:      r.Security,
		SecurityLabel: r.Security.Label(),
		RequiresAuth:  len(r.AuthMechanisms) > 0,
		Username:      address,
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
	switch {
	case r.Protocol == IMAP && first == "imap", r.Protocol == POP3 && (first == "pop" || first == "pop3"),
		r.Protocol == SMTP && first == "smtp":
		return 0
	case first == "mail":
		return 1
	}
	return 2
}
