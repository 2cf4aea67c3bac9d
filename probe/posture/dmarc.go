package posture

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// DMARC records are parsed by github.com/emersion/go-msgauth/dmarc (RFC 7489 section 6.3, used by the
// same author's go-smtp/go-imap stack mailcheck already depends on); its lookup has no organisational-domain
// fallback and uses the system resolver, so the lookup is here, through mailcheck's resolver.

func checkDMARC(ctx context.Context, env *Env, t Target) Finding {
	name := "_dmarc." + t.Domain
	f := Finding{Name: name}
	recs, a := dmarcRecords(ctx, env, name)
	if s := dnsTrouble(name, a); s != "" {
		f.Verdict, f.Meaning = Unknown, s
		return f
	}
	org := orgDomain(t.Domain)
	fromOrg := false
	// RFC 7489 section 6.6.3: no record at the domain: ask the organisational domain.
	if len(recs) == 0 && org != t.Domain {
		oname := "_dmarc." + org
		recs, a = dmarcRecords(ctx, env, oname)
		if s := dnsTrouble(oname, a); s != "" {
			f.Verdict, f.Meaning = Unknown, s
			return f
		}
		if len(recs) > 0 {
			f.Name, fromOrg = oname, true
		}
	}
	f.Records = recs
	switch len(recs) {
	case 0:
		f.Verdict = Absent
		f.Meaning = "the domain publishes no DMARC record: receivers apply no policy to forged mail, and Gmail and Yahoo require one from bulk senders"
		f.Instructions = []string{fmt.Sprintf(`publish %s. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@%s" and move to p=quarantine, then p=reject, once the reports show all your mail passes`, name, org)}
		return f
	case 1:
	default:
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("%s has %d DMARC records: receivers then apply none (RFC 7489 section 6.6.3)", f.Name, len(recs))
		f.Instructions = []string{"keep one TXT record starting v=DMARC1 and delete the others"}
		return f
	}
	rec, err := dmarc.Parse(recs[0])
	if err != nil {
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("the DMARC record is malformed (%v), so receivers ignore it", err)
		f.Instructions = []string{fmt.Sprintf(`correct it, e.g. %s. TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@%s"`, f.Name, org)}
		return f
	}
	policy := rec.Policy
	if fromOrg && rec.SubdomainPolicy != "" {
		policy = rec.SubdomainPolicy // RFC 7489 section 6.3 sp=: the policy for subdomains
	}
	f.Value = string(policy)
	f.Trace = dmarcFacts(rec, fromOrg, org)
	switch policy {
	case dmarc.PolicyReject:
		f.Verdict = OK
		f.Meaning = "DMARC policy reject: receivers refuse mail that fails both aligned SPF and aligned DKIM"
	case dmarc.PolicyQuarantine:
		f.Verdict = OK
		f.Meaning = "DMARC policy quarantine: receivers junk mail that fails both aligned SPF and aligned DKIM"
	default:
		f.Verdict = Warn
		f.Meaning = "DMARC policy none: monitoring only, receivers deliver forged mail as usual"
		f.Instructions = append(f.Instructions, "once the aggregate reports show all your mail passes, change p=none to p=quarantine, then p=reject")
	}
	if rec.Percent != nil && *rec.Percent < 100 && policy != dmarc.PolicyNone {
		f.Verdict = Warn
		f.Meaning += fmt.Sprintf(", but only for %d%% of it (pct=%d)", *rec.Percent, *rec.Percent)
		f.Instructions = append(f.Instructions, "remove pct= (or set pct=100) once the reports are clean")
	}
	if len(rec.ReportURIAggregate) == 0 {
		f.Instructions = append(f.Instructions, fmt.Sprintf("add rua=mailto:dmarc-reports@%s to receive the aggregate reports that show who sends as the domain", org))
	}
	for _, uri := range append(append([]string(nil), rec.ReportURIAggregate...), rec.ReportURIFailure...) {
		line, fix := reportAuthorised(ctx, env, strings.TrimPrefix(f.Name, "_dmarc."), uri)
		f.Trace = append(f.Trace, line)
		if fix != "" {
			if f.Verdict == OK {
				f.Verdict = Warn
			}
			f.Instructions = append(f.Instructions, fix)
		}
	}
	return f
}

// dmarcRecords are the TXT records at name that start with v=DMARC1 (RFC 7489 section 6.6.3).
func dmarcRecords(ctx context.Context, env *Env, name string) ([]string, answer) {
	all, a := txt(ctx, env.Resolver, name)
	var out []string
	for _, s := range all {
		if v, _, _ := strings.Cut(s, ";"); strings.EqualFold(strings.TrimSpace(v), "v=DMARC1") {
			out = append(out, s)
		}
	}
	return out, a
}

// orgDomain is the organisational domain (RFC 7489 section 3.2): the public suffix plus one label.
func orgDomain(domain string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return domain
	}
	return org
}

func dmarcFacts(rec *dmarc.Record, fromOrg bool, org string) []string {
	var out []string
	if fromOrg {
		out = append(out, "no record at the domain itself: the organisational domain "+org+"'s record applies (RFC 7489 section 6.6.3)")
	}
	out = append(out, fmt.Sprintf("policy p=%s, subdomains sp=%s", rec.Policy, orDefault(string(rec.SubdomainPolicy), string(rec.Policy))))
	out = append(out, fmt.Sprintf("alignment: DKIM adkim=%s, SPF aspf=%s (r relaxed: the organisational domains must match; s strict: the exact domain)",
		orDefault(string(rec.DKIMAlignment), "r"), orDefault(string(rec.SPFAlignment), "r")))
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// reportAuthorised checks a report address: one outside the domain's organisational domain must
// authorise it with an <owner>._report._dmarc.<destination> record, owner being the domain whose record names it (RFC 7489 section 7.1), or receivers
// send it nothing.
func reportAuthorised(ctx context.Context, env *Env, owner, uri string) (line, fix string) {
	org := orgDomain(owner)
	u, err := url.Parse(strings.TrimSpace(uri))
	if err != nil || u.Scheme != "mailto" {
		return fmt.Sprintf("report address %q: not a mailto: URI, receivers may ignore it", uri), ""
	}
	addr, _, _ := strings.Cut(u.Opaque, "!") // "!10m" is a size limit (RFC 7489 section 6.4)
	_, dest, ok := strings.Cut(addr, "@")
	if !ok || dest == "" {
		return fmt.Sprintf("report address %q has no domain", uri), fmt.Sprintf("correct the report address %q", uri)
	}
	dest = strings.ToLower(strings.TrimSuffix(dest, "."))
	if orgDomain(dest) == org {
		return fmt.Sprintf("report address %s: inside the domain, no authorisation needed", addr), ""
	}
	name := owner + "._report._dmarc." + dest
	recs, a := dmarcRecords(ctx, env, name)
	if a.err != nil {
		return fmt.Sprintf("report address %s: whether %s authorises it could not be checked (%v)", addr, dest, a.err), ""
	}
	if len(recs) > 0 {
		return fmt.Sprintf("report address %s: %s authorises reports for %s (%s)", addr, dest, owner, name), ""
	}
	return fmt.Sprintf("report address %s: %s has not authorised reports for %s, so receivers send none", addr, dest, owner),
		fmt.Sprintf(`ask the operator of %s to publish %s. TXT "v=DMARC1"`, dest, name)
}
