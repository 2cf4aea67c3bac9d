package catalog

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// canonical is how each kind writes its codes; LookupCode and the explain parser rely on it.
var canonical = map[CodeKind]*regexp.Regexp{
	KindOutlook:  regexp.MustCompile(`^0x[0-9A-F]{8}$`),
	KindWinsock:  regexp.MustCompile(`^1\d{4}$`),
	KindSMTP:     regexp.MustCompile(`^[2-5][0-5]\d$`),
	KindEnhanced: regexp.MustCompile(`^([245X])\.(\d{1,3}|X)\.(\d{1,3}|X)$`),
	KindIMAP:     regexp.MustCompile(`^[A-Z][A-Z0-9-]*$`),
	KindPOP3:     regexp.MustCompile(`^[A-Z][A-Z0-9/-]*$`),
	KindProvider: regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`),
	KindTLS:      regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`),
	KindNetwork:  regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`),
	KindClient:   regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`),
}

// textKinds are identified by their Match texts, not by a number.
var textKinds = map[CodeKind]bool{KindProvider: true, KindTLS: true, KindNetwork: true, KindClient: true}

// probeOnly are problems that only `mailcheck probe` finds: no mail client or server shows an error code
// for them, so no pasted text can lead there.
var probeOnly = map[string]string{
	ServiceNotOffered:   "an SRV record with target '.', seen only in DNS",
	TimeLimit:           "mailcheck's own --max-time, not a server's failure",
	Interrupted:         "the user stopped mailcheck, not a server's failure",
	NoMailServers:       "discovery found nothing; no client error says that",
	NoIncomingServer:    "a verdict over every incoming endpoint probed",
	NoOutgoingServer:    "a verdict over every outgoing endpoint probed",
	SourcesDisagree:     "a comparison of discovery sources, which no client shows",
	SettingsUnconfirmed: "a judgement of where the settings came from, which no client shows",
	IPv6Unreachable:     "needs a comparison of IPv4 and IPv6 connections",
	CertExpiringSoon:    "a warning about a certificate that still works",
	STARTTLSSkipped:     "a warning about how the probe ran",
	PlaintextAuth:       "a warning about what the server offers",
	AuthNotAttempted:    "the probe chose not to log in",
	DNSUnreachable:      "mailcheck's own resolver transport; clients say 'server not found'",
	ReplyTooLarge:       "mailcheck's own read limit",
	PreauthUnencrypted:  "a finding about what the server offers",
	FanoutLimited:       "a note about how the probe ran",
	AddressNotAllowed:   "the exporter's own connection policy, not a server's failure",
	InternalAddress:     "a warning about where a domain's records point",
	NotMailService:      "mailcheck reads the greeting; clients only say the server did not answer as expected",
	// Microsoft words it exactly as for passwords (auth_basic_disabled); only the probe knows the login used OAuth2.
	OAuthSMTPAuthDisabled: "the text of auth_basic_disabled, seen on an OAuth2 login",
	OAuthTokenRejected:    "a token refused without any words that say why",
}

func TestCodesAreComplete(t *testing.T) {
	seen := map[string]bool{}
	matchOwner := map[string]string{}
	for _, c := range Codes() {
		id := string(c.Kind) + " " + c.Code
		re, ok := canonical[c.Kind]
		if !ok {
			t.Errorf("%s: unknown kind %q", id, c.Kind)
			continue
		}
		if !re.MatchString(c.Code) {
			t.Errorf("%s: code is not in canonical form (%s)", id, re)
		}
		if seen[id] {
			t.Errorf("%s: duplicate entry", id)
		}
		seen[id] = true
		if strings.TrimSpace(c.Name) == "" {
			t.Errorf("%s: no Name", id)
		}
		if strings.TrimSpace(c.Meaning) == "" {
			t.Errorf("%s: no Meaning", id)
		}
		if !strings.HasSuffix(c.Meaning, ".") && !strings.HasSuffix(c.Meaning, ")") {
			t.Errorf("%s: Meaning should be a sentence: %q", id, c.Meaning)
		}
		if len(c.Causes) == 0 {
			t.Errorf("%s: no cause", id)
		}
		for _, cause := range c.Causes {
			if strings.TrimSpace(cause) == "" {
				t.Errorf("%s: empty cause", id)
			}
		}
		switch c.Confidence {
		case "A", "B", "C", "D":
		default:
			t.Errorf("%s: confidence %q is not A, B, C or D", id, c.Confidence)
		}
		if c.Info {
			if c.Problem != "" || len(c.Also) > 0 || len(c.Refine) > 0 {
				t.Errorf("%s: an Info code has no problem", id)
			}
		} else if _, ok := Lookup(c.Problem); !ok {
			t.Errorf("%s: problem %q is not in the problems catalogue", id, c.Problem)
		}
		for _, p := range c.Also {
			if _, ok := Lookup(p); !ok || p == c.Problem {
				t.Errorf("%s: Also %q is unknown or repeats the problem", id, p)
			}
		}
		for i, r := range c.Refine {
			if r.Problem != "" {
				if _, ok := Lookup(r.Problem); !ok {
					t.Errorf("%s: refinement %d: problem %q is not in the problems catalogue", id, i, r.Problem)
				}
			}
			if r.Problem == "" && len(r.Causes) == 0 && r.Step == "" {
				t.Errorf("%s: refinement %d changes nothing", id, i)
			}
			w := r.When
			if len(w.Protocols) == 0 && len(w.Ports) == 0 && w.Security == "" && len(w.ReplyCodes) == 0 && !w.NoSocketError {
				t.Errorf("%s: refinement %d has no condition", id, i)
			}
			switch w.Security {
			case "", "plain", "starttls", "tls":
			default:
				t.Errorf("%s: refinement %d: security %q", id, i, w.Security)
			}
		}
		if textKinds[c.Kind] && len(c.Match) == 0 {
			t.Errorf("%s: a %s entry needs Match texts", id, c.Kind)
		}
		for _, m := range c.Match {
			if len(strings.ReplaceAll(m, "*", "")) < 5 || strings.HasPrefix(m, "*") || strings.HasSuffix(m, "*") {
				t.Errorf("%s: match %q is too short or starts/ends with *", id, m)
			}
			for i := 0; i < len(m); i++ {
				if m[i] >= 0x80 {
					t.Errorf("%s: match %q must be ASCII (explain lowercases A-Z only)", id, m)
					break
				}
			}
			key := strings.ToLower(m)
			if owner, dup := matchOwner[key]; dup {
				t.Errorf("%s: match %q already identifies %s", id, m, owner)
			}
			matchOwner[key] = id
		}
		if c.Common && c.Kind != KindOutlook && c.Kind != KindWinsock {
			t.Errorf("%s: only Outlook numbers and socket errors are listed by ClientErrorsFor", id)
		}
	}
	if n := len(Codes()); n < 200 {
		t.Errorf("catalogue has only %d codes", n)
	}
}

func TestRangesCovered(t *testing.T) {
	// The ranges imnxport.h defines (reference section 1); gaps the header leaves (0x800CCC1B-29, 81, 98-9F)
	// stay unknown on purpose.
	hex := func(from, to int) []string {
		var out []string
		for n := from; n <= to; n++ {
			out = append(out, fmt.Sprintf("0x800C%04X", n))
		}
		return out
	}
	var want []string
	want = append(want, hex(0xCC00, 0xCC1A)...)
	want = append(want, hex(0xCC60, 0xCC6F)...)
	want = append(want, hex(0xCC78, 0xCC80)...)
	want = append(want, hex(0xCC90, 0xCC97)...)
	want = append(want, hex(0xCCD1, 0xCCE0)...)
	want = append(want, "0x80042108", "0x80042109", "0x8004210A", "0x8004210B", "0x80040119", "0x80040600",
		"0x800C0131", "0x800C0133")
	for _, code := range want {
		if _, ok := LookupCode(KindOutlook, code); !ok {
			t.Errorf("%s is missing", code)
		}
	}
	for _, code := range []string{"0x800CCC1B", "0x800CCC81", "0x800CCC9A"} {
		if _, ok := LookupCode(KindOutlook, code); ok {
			t.Errorf("%s is undefined in imnxport.h and must stay unknown", code)
		}
	}
	for _, code := range []string{"10013", "10048", "10050", "10051", "10053", "10054", "10060", "10061", "10064", "10065", "11001", "11002", "11003", "11004"} {
		if _, ok := LookupCode(KindWinsock, code); !ok {
			t.Errorf("socket error %s is missing", code)
		}
	}
	for _, code := range []string{"AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED", "EXPIRED", "PRIVACYREQUIRED", "CONTACTADMIN", "UNAVAILABLE", "INUSE", "LIMIT", "OVERQUOTA", "ALERT", "NOPERM", "SERVERBUG"} {
		if _, ok := LookupCode(KindIMAP, code); !ok {
			t.Errorf("IMAP [%s] is missing", code)
		}
	}
	for _, code := range []string{"IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM", "AUTH"} {
		if _, ok := LookupCode(KindPOP3, code); !ok {
			t.Errorf("POP3 [%s] is missing", code)
		}
	}
}

func TestEveryProbeProblemIsReachable(t *testing.T) {
	reached := map[string]bool{}
	for _, c := range Codes() {
		reached[c.Problem] = true
		for _, p := range c.Also {
			reached[p] = true
		}
		for _, r := range c.Refine {
			reached[r.Problem] = true
		}
	}
	for _, p := range Problems() {
		_, exempt := probeOnly[p.Code]
		switch {
		case !reached[p.Code] && !exempt:
			t.Errorf("problem %s is not reachable from any pasted code", p.Code)
		case reached[p.Code] && exempt:
			t.Errorf("problem %s is listed as probe-only but a code reaches it", p.Code)
		}
	}
	for code := range probeOnly {
		if _, ok := Lookup(code); !ok {
			t.Errorf("probe-only problem %s is not in the catalogue", code)
		}
	}
}

func TestLookupCode(t *testing.T) {
	tests := []struct {
		kind       CodeKind
		in, want   string
		wantAbsent bool
	}{
		{KindOutlook, "0x800CCC0D", "0x800CCC0D", false},
		{KindOutlook, "0x800ccc0d", "0x800CCC0D", false},
		{KindOutlook, "800CCC0D", "0x800CCC0D", false},
		{KindOutlook, " 0X8004210B ", "0x8004210B", false},
		{KindOutlook, "0x800CCC0", "", true},
		{KindWinsock, "11004", "11004", false},
		{KindSMTP, "535", "535", false},
		{KindEnhanced, "5.7.139", "5.7.139", false},
		{KindEnhanced, "5.7.8", "X.7.8", false},
		{KindEnhanced, "4.2.2", "X.2.2", false},
		{KindEnhanced, "4.7.0", "4.7.0", false},
		{KindEnhanced, "5.7.0", "X.7.0", false},
		{KindEnhanced, "5.7.200", "X.7.X", false},
		{KindEnhanced, "5.9.1", "5.X.X", false},
		{KindEnhanced, "7.1.1", "", true},
		{KindEnhanced, "2.0.0", "2.X.X", false},
		{KindEnhanced, "2.1.5", "X.1.5", false},
		{KindIMAP, "[authenticationfailed]", "AUTHENTICATIONFAILED", false},
		{KindPOP3, "[IN-USE]", "IN-USE", false},
		{KindPOP3, "sys/temp", "SYS/TEMP", false},
		{KindProvider, "gmail-app-password", "gmail-app-password", false},
		{KindProvider, "no-such-entry", "", true},
	}
	for _, tt := range tests {
		c, ok := LookupCode(tt.kind, tt.in)
		if ok == tt.wantAbsent {
			t.Errorf("LookupCode(%s, %q) found=%v, want %v", tt.kind, tt.in, ok, !tt.wantAbsent)
			continue
		}
		if ok && c.Code != tt.want {
			t.Errorf("LookupCode(%s, %q) = %s, want %s", tt.kind, tt.in, c.Code, tt.want)
		}
	}
}

func TestClientErrorsFor(t *testing.T) {
	tests := map[string][]string{
		DNSNotFound:    {"0x800CCC0D", "socket error 11001"},
		DNSNoAddress:   {"socket error 11004"},
		ConnectRefused: {"0x800CCC0E", "0x80042109", "socket error 10061"},
		ConnectTimeout: {"0x80042109", "0x800CCC0E", "socket error 10060"},
		PlainOnTLSPort: {"0x800CCC0E", "0x800CCC0F", "0x800CCC19"},
		CertExpired:    {"0x800CCC02"},
		NoMailServers:  nil,
	}
	for problem, want := range tests {
		if got := ClientErrorsFor(problem); !reflect.DeepEqual(got, want) {
			t.Errorf("ClientErrorsFor(%s) = %q, want %q", problem, got, want)
		}
	}
	for _, p := range Problems() {
		if got := ClientErrorsFor(p.Code); len(got) > 3 {
			t.Errorf("ClientErrorsFor(%s) lists %d codes, want at most 3", p.Code, len(got))
		}
	}
}
