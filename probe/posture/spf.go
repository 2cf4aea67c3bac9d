package posture

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"blitiri.com.ar/go/spf"
)

// SPF is evaluated by blitiri.com.ar/go/spf: it enforces RFC 7208's limits (10 DNS-querying terms, 2 void
// lookups, one record), says with typed errors why a record fails, and takes a trace function and a
// resolver, so the evaluation is shown step by step and asks mailcheck's own resolver.

// spfProbeAddr is the address a record is evaluated for when no sending IP is given: a documentation
// address (RFC 5737) no record lists, so every term is walked and every limit counted.
var spfProbeAddr = net.ParseIP("192.0.2.0")

const maxTrace = 64

func checkSPF(ctx context.Context, env *Env, t Target) Finding {
	f := Finding{Name: t.Domain}
	all, a := txt(ctx, env.Resolver, t.Domain)
	if s := dnsTrouble(t.Domain, a); s != "" {
		f.Verdict, f.Meaning = Unknown, s
		return f
	}
	f.Records = spfRecords(all)
	suggest := fmt.Sprintf(`%s. TXT "v=spf1 mx -all"`, t.Domain)
	switch len(f.Records) {
	case 0:
		f.Verdict = Absent
		f.Meaning = "the domain publishes no SPF record, so receivers cannot tell its servers from forgers; Gmail, Yahoo and Microsoft reject or junk much unauthenticated mail"
		f.Instructions = []string{"publish one SPF record naming the servers that send the domain's mail, e.g. " + suggest}
		return f
	case 1:
	default:
		f.Verdict, f.Value = Fail, string(spf.PermError)
		f.Meaning = fmt.Sprintf("the domain publishes %d SPF records: more than one is a permerror (RFC 7208 section 4.5), so SPF fails for all its mail", len(f.Records))
		f.Instructions = []string{"merge them into one TXT record starting v=spf1 and delete the others"}
		return f
	}
	rec := f.Records[0]

	// The record's own limits: evaluated for an address it does not list, so every term is walked.
	res, err, trace := evalSPF(ctx, env, spfProbeAddr, t.Domain)
	f.Trace = trace
	if bad := spfBroken(res, err); bad != "" {
		f.Verdict, f.Value = Fail, string(res)
		f.Meaning = bad
		f.Instructions = spfFix(err, t.Domain)
		if res == spf.TempError {
			f.Verdict = Unknown
		}
		return f
	}
	f.Verdict, f.Value = OK, "valid"
	f.Meaning = "the SPF record is valid and within RFC 7208's lookup limits"
	if q, ok := spfAllQualifier(rec); ok {
		switch q {
		case '+':
			f.Verdict = Fail
			f.Meaning = `the record ends in "+all": every server on the internet may send as the domain, so SPF protects nothing`
			f.Instructions = []string{`replace "+all" with "-all" (or "~all" while you check every sender is listed)`}
		case '?':
			f.Verdict = Warn
			f.Meaning = `the record ends in "?all" (neutral): mail from unlisted servers is neither passed nor failed`
			f.Instructions = []string{`end the record with "-all" or "~all"`}
		}
	} else if !strings.Contains(strings.ToLower(rec), "redirect=") {
		f.Verdict = Warn
		f.Meaning = `the record has no "all" term and no redirect, so unlisted servers get neutral`
		f.Instructions = []string{`end the record with "-all" or "~all"`}
	}
	if t.SendingIP.IsValid() {
		judgeSendingIP(ctx, env, t, &f)
	}
	return f
}

// judgeSendingIP evaluates the record for the sending address: the verdict becomes that address's
// result, the Value its SPF result, and the meaning names the term that matched.
func judgeSendingIP(ctx context.Context, env *Env, t Target, f *Finding) {
	ip := net.IP(t.SendingIP.AsSlice())
	res, err, trace := evalSPF(ctx, env, ip, t.Domain)
	f.Trace = trace
	f.Value = string(res)
	if bad := spfBroken(res, err); bad != "" {
		f.Verdict, f.Meaning = Fail, bad
		if res == spf.TempError {
			f.Verdict = Unknown
		}
		return
	}
	by := matchedBy(trace)
	switch res {
	case spf.Pass:
		if f.Verdict != Fail {
			f.Verdict = OK
		}
		f.Meaning = fmt.Sprintf("%s passes SPF for %s%s", t.SendingIP, t.Domain, by)
	case spf.Fail:
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("%s fails SPF for %s%s: receivers that check SPF reject or junk its mail", t.SendingIP, t.Domain, by)
		f.Instructions = append(f.Instructions, fmt.Sprintf("if %s is one of your servers, add ip%s:%s to the record before the all term", t.SendingIP, ipVersion(t.SendingIP), t.SendingIP))
	default:
		f.Verdict = Warn
		f.Meaning = fmt.Sprintf("%s gets %s from SPF for %s%s: not authorised, so DMARC cannot pass on SPF", t.SendingIP, res, t.Domain, by)
		f.Instructions = append(f.Instructions, fmt.Sprintf("if %s is one of your servers, add ip%s:%s to the record before the all term", t.SendingIP, ipVersion(t.SendingIP), t.SendingIP))
	}
}

func ipVersion(a netip.Addr) string {
	if a.Is4() {
		return "4"
	}
	return "6"
}

// evalSPF runs one evaluation and keeps its trace (capped, made of the package's own step lines).
func evalSPF(ctx context.Context, env *Env, ip net.IP, domain string) (spf.Result, error, []string) {
	var trace []string
	tf := func(format string, a ...any) {
		if len(trace) < maxTrace {
			trace = append(trace, fmt.Sprintf(format, a...))
		}
	}
	res, err := spf.CheckHostWithSender(ip, domain, "postmaster@"+domain,
		spf.WithContext(ctx), spf.WithResolver(netResolver{env.Resolver}), spf.WithTraceFunc(tf))
	return res, err, trace
}

// spfBroken says why an evaluation shows the record itself broken, or "" when it is not.
func spfBroken(res spf.Result, err error) string {
	switch {
	case errors.Is(err, spf.ErrLookupLimitReached):
		return "the record needs more than 10 DNS lookups (include, a, mx, ptr, exists, redirect): a permerror (RFC 7208 section 4.6.4), so SPF fails for all the domain's mail"
	case errors.Is(err, spf.ErrVoidLookupLimitReached):
		return "the record leads to more than 2 lookups that find nothing (void lookups, RFC 7208 section 4.6.4): a permerror, so SPF fails for all the domain's mail"
	case errors.Is(err, spf.ErrMultipleRecords):
		return "a domain the record includes publishes more than one SPF record: a permerror (RFC 7208 section 4.5)"
	case errors.Is(err, spf.ErrUnknownField), errors.Is(err, spf.ErrInvalidIP), errors.Is(err, spf.ErrInvalidMask),
		errors.Is(err, spf.ErrInvalidMacro), errors.Is(err, spf.ErrInvalidDomain):
		return fmt.Sprintf("the record has a syntax error (%v): a permerror, so SPF fails for all the domain's mail", err)
	case res == spf.PermError:
		return fmt.Sprintf("the record evaluates to permerror (%v), so SPF fails for all the domain's mail", err)
	case res == spf.TempError:
		return fmt.Sprintf("the record could not be evaluated (temperror: %v)", err)
	}
	return ""
}

// spfFix is the instruction for a broken record.
func spfFix(err error, domain string) []string {
	switch {
	case errors.Is(err, spf.ErrLookupLimitReached):
		return []string{"cut the include/a/mx/ptr/exists terms to 10 or fewer: replace includes of your own servers with ip4:/ip6: terms, drop senders you no longer use"}
	case errors.Is(err, spf.ErrVoidLookupLimitReached):
		return []string{"remove the include/a/mx terms that name domains without records (see the trace)"}
	case errors.Is(err, spf.ErrMultipleRecords):
		return []string{"the included domain must merge its SPF records into one"}
	}
	return []string{fmt.Sprintf(`correct the record (see the trace); a minimal valid one is %s. TXT "v=spf1 mx -all"`, domain)}
}

// spfRecords keeps the TXT records that are SPF records (RFC 7208 section 4.5: "v=spf1" alone or
// followed by a space, case-insensitively).
func spfRecords(all []string) []string {
	var out []string
	for _, s := range all {
		l := strings.ToLower(s)
		if l == "v=spf1" || strings.HasPrefix(l, "v=spf1 ") {
			out = append(out, s)
		}
	}
	return out
}

// spfAllQualifier finds the record's all term and returns its qualifier ('+' when none is written).
func spfAllQualifier(rec string) (byte, bool) {
	for _, term := range strings.Fields(rec) {
		l := strings.ToLower(term)
		switch l {
		case "all":
			return '+', true
		case "+all", "-all", "~all", "?all":
			return l[0], true
		}
	}
	return 0, false
}

// matchedBy names the term that decided, from the trace. The package traces a decision as `"term"
// result, matched …` (or `all: result`) when a term returns; an include's inner match comes just before the
// include's own line, so the decision is the last such line and the consecutive matched lines before it
// are the chain of includes, innermost first. An include that did not match ends in its own "all:" line,
// which ends the chain.
func matchedBy(trace []string) string {
	var chain []string
	for i := len(trace) - 1; i >= 0; i-- {
		line := trace[i]
		if strings.HasPrefix(line, "all: ") {
			if len(chain) == 0 {
				chain = append(chain, "all")
			}
			break
		}
		if !strings.HasPrefix(line, `"`) {
			continue // the package's other notes (dns record, masks, ip match)
		}
		end := strings.Index(line[1:], `"`)
		if end <= 0 || !strings.Contains(line, ", matched ") {
			break
		}
		chain = append(chain, line[1:end+1])
	}
	if len(chain) == 0 {
		return ""
	}
	slices.Reverse(chain) // innermost first
	if len(chain) == 1 {
		return " by " + chain[0]
	}
	return " by " + chain[0] + " (through " + strings.Join(chain[1:], ", ") + ")"
}
