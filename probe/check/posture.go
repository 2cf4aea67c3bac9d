package check

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/posture"
)

// Posture assertions of a domain target: what the domain publishes (probe/posture), judged as checks of
// their own, named by their config keys.
const (
	CheckSPF         = "spf"
	CheckDMARCPolicy = "dmarc_policy"
	CheckMTASTS      = "mta_sts"
	CheckTLSRPT      = "tls_rpt"
	CheckDKIM        = "dkim"
	CheckReverseDNS  = "reverse_dns"
	CheckBlocklists  = "blocklists"
	CheckDANE        = "dane"
)

// PostureExpect are a domain target's posture assertions.
type PostureExpect struct {
	// SPF is "valid" (the record is sound) or "pass" (SendingIP passes); "" not checked.
	SPF string
	// DMARCPolicy is the weakest policy accepted: none, quarantine or reject; "" not checked.
	DMARCPolicy string
	// MTASTS is the weakest mode accepted: testing or enforce; "" not checked.
	MTASTS string
	// TLSRPT asks for a valid TLS-RPT record.
	TLSRPT bool
	// SendingIP is the address SPF, reverse DNS and the blocklists are asked about.
	SendingIP netip.Addr
	// DKIMSelector, when set, checks that selector's key (the dkim check).
	DKIMSelector string
	// ReverseDNS asks for SendingIP's forward-confirmed reverse DNS; Blocklists for it to be listed nowhere.
	ReverseDNS, Blocklists bool
	// DANE asks for the MX hosts' TLSA records to match the certificates the probe got.
	DANE bool
}

// strength orders DMARC policies and MTA-STS modes: a stricter one satisfies a weaker expectation.
var strength = map[string]int{"none": 0, "quarantine": 1, "reject": 2, "testing": 1, "enforce": 2}

func (s Spec) hasPosture() bool {
	return s.SPF != "" || s.DMARCPolicy != "" || s.MTASTS != "" || s.TLSRPT || s.SendingIP != "" ||
		s.DKIMSelector != "" || s.ReverseDNS || s.Blocklists || s.DANE
}

// postureExpect validates the posture keys; nil when none is set.
func (s Spec) postureExpect() (*PostureExpect, error) {
	if !s.hasPosture() {
		return nil, nil
	}
	bad := func(key, format string, a ...any) (*PostureExpect, error) {
		return nil, &FieldError{Key: key, Msg: fmt.Sprintf(format, a...)}
	}
	pe := &PostureExpect{SPF: s.SPF, DMARCPolicy: s.DMARCPolicy, MTASTS: s.MTASTS, TLSRPT: s.TLSRPT,
		DKIMSelector: s.DKIMSelector, ReverseDNS: s.ReverseDNS, Blocklists: s.Blocklists, DANE: s.DANE}
	if s.SendingIP != "" {
		a, err := netip.ParseAddr(s.SendingIP)
		if err != nil || a.Zone() != "" {
			return bad("sending_ip", "%q is not an IP address", s.SendingIP)
		}
		pe.SendingIP = a.Unmap()
	}
	switch s.SPF {
	case "", "valid":
	case "pass":
		if !pe.SendingIP.IsValid() {
			return bad("spf", `"pass" needs sending_ip: the address that must pass`)
		}
	default:
		return bad("spf", `must be "valid" or "pass" (with sending_ip), not %q`, s.SPF)
	}
	if p := s.DMARCPolicy; p != "" && p != "none" && p != "quarantine" && p != "reject" {
		return bad("dmarc_policy", `must be "none", "quarantine" or "reject", not %q`, p)
	}
	if m := s.MTASTS; m != "" && m != "testing" && m != "enforce" {
		return bad("mta_sts", `must be "testing" or "enforce", not %q`, m)
	}
	if sel := s.DKIMSelector; sel != "" {
		if _, ok := dns.IsDomainName(sel); !ok || strings.ContainsAny(sel, " /@") || strings.HasSuffix(sel, ".") {
			return bad("dkim_selector", "%q is not a DKIM selector (e.g. s1 or 2026a)", sel)
		}
	}
	if (s.ReverseDNS || s.Blocklists) && !pe.SendingIP.IsValid() {
		key := "reverse_dns"
		if !s.ReverseDNS {
			key = "blocklists"
		}
		return bad(key, "needs sending_ip: the address to look up")
	}
	return pe, nil
}

// startPosture runs the posture checks of a target that has assertions, beside its discovery, with the
// prober's resolver and dialer; the returned function waits for the report (nil without assertions).
func startPosture(ctx context.Context, p *probe.Prober, t Target) func(*probe.Report) *posture.Report {
	if t.Posture == nil {
		return func(*probe.Report) *posture.Report { return nil }
	}
	env := &posture.Env{Resolver: p.DNS(), Get: p.GetPolicy}
	done := make(chan *posture.Report, 1)
	go func() {
		done <- posture.Run(ctx, env, posture.Target{Domain: t.Domain, SendingIP: t.Posture.SendingIP, DKIMSelector: t.Posture.DKIMSelector})
	}()
	return func(rep *probe.Report) *posture.Report {
		post := <-done
		if t.Posture.DANE {
			post.AddDANE(ctx, env, posture.MXCertsOf(rep)) // the certificates the probe's STARTTLS got
		}
		return post
	}
}

// EvaluatePosture adds a check per assertion to a domain target's result.
func EvaluatePosture(tr *TargetResult, pe *PostureExpect, rep *posture.Report) {
	if pe == nil || rep == nil {
		return
	}
	add := func(check, expected string, f *posture.Finding, judge func(*posture.Finding) Status) {
		r := Result{Check: check, Expected: expected, Status: Fail, Found: "not checked"}
		if f != nil {
			r.Status = judge(f)
			r.Found = string(f.Verdict)
			if f.Value != "" {
				r.Found += " " + f.Value
			}
			r.Found += ": " + f.Meaning
			if r.Status != Pass && len(f.Instructions) > 0 {
				r.Found += "; to do: " + strings.Join(f.Instructions, "; ")
			}
		}
		r.Message = "expected " + r.Expected + "; found " + r.Found
		tr.Checks = append(tr.Checks, r)
		tr.Status = Worse(tr.Status, r.Status)
	}
	if pe.SPF == "valid" {
		add(CheckSPF, "a valid SPF record", rep.Find("spf"), byVerdict)
	} else if pe.SPF == "pass" {
		add(CheckSPF, pe.SendingIP.String()+" to pass SPF", rep.Find("spf"), func(f *posture.Finding) Status {
			return passIf(f.Value == "pass")
		})
	}
	if pe.DMARCPolicy != "" {
		add(CheckDMARCPolicy, "DMARC policy "+pe.DMARCPolicy+" or stricter", rep.Find("dmarc"), atLeast(pe.DMARCPolicy))
	}
	if pe.MTASTS != "" {
		add(CheckMTASTS, "MTA-STS mode "+pe.MTASTS+" or stricter", rep.Find("mta_sts"), atLeast(pe.MTASTS))
	}
	if pe.TLSRPT {
		add(CheckTLSRPT, "a valid TLS-RPT record", rep.Find("tls_rpt"), byVerdict)
	}
	if pe.DKIMSelector != "" {
		add(CheckDKIM, "a sound DKIM key for selector "+pe.DKIMSelector, rep.Find("dkim"), byVerdict)
	}
	if pe.ReverseDNS {
		add(CheckReverseDNS, "forward-confirmed reverse DNS for "+pe.SendingIP.String(), rep.Find("reverse_dns"), byVerdict)
	}
	if pe.Blocklists {
		add(CheckBlocklists, pe.SendingIP.String()+" on no DNS blocklist", rep.Find("dnsbl"), byVerdict)
	}
	if pe.DANE {
		add(CheckDANE, "TLSA records of the MX hosts that match their certificates", rep.Find("dane"), byVerdict)
	}
}

// byVerdict: ok passes, warn and unknown (could not check: never a pass, never a failure of the domain)
// warn, fail and absent fail.
func byVerdict(f *posture.Finding) Status {
	switch f.Verdict {
	case posture.OK:
		return Pass
	case posture.Warn, posture.Unknown:
		return Warn
	}
	return Fail
}

// atLeast passes a policy or mode as strict as want or stricter, from a record that is not broken.
func atLeast(want string) func(*posture.Finding) Status {
	return func(f *posture.Finding) Status {
		if !slices.Contains([]posture.Verdict{posture.OK, posture.Warn}, f.Verdict) {
			return Fail
		}
		got, ok := strength[f.Value]
		return passIf(ok && got >= strength[want])
	}
}

func passIf(ok bool) Status {
	if ok {
		return Pass
	}
	return Fail
}
