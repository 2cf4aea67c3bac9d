package posture

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MTA-STS (RFC 8461): the TXT record and the policy file are parsed here (a few lines of key: value); the
// policy is fetched through Env.Get, the prober's own dialer, so the connection policy and the sandbox
// apply, with the certificate verified and no redirects followed (section 3.3).

// maxPolicyBody caps the policy file (RFC 8461 section 3.2 policies are a few lines; 64 KiB as mox).
const maxPolicyBody = 64 << 10

// STSPolicy is a parsed MTA-STS policy file.
type STSPolicy struct {
	Mode   string
	MX     []string
	MaxAge int
}

func checkMTASTS(ctx context.Context, env *Env, t Target) Finding {
	name := "_mta-sts." + t.Domain
	f, ok := records(ctx, env, name, "v=STSv1")
	if !ok {
		return f
	}
	polURL := "https://mta-sts." + t.Domain + "/.well-known/mta-sts.txt"
	switch len(f.Records) {
	case 0:
		f.Verdict = Absent
		f.Meaning = "the domain publishes no MTA-STS record, so senders deliver to it over TLS only when they can and fall back to plaintext under attack"
		f.Instructions = []string{
			fmt.Sprintf(`serve %s with "version: STSv1", "mode: testing", one "mx: <name>" line per MX and "max_age: 604800"`, polURL),
			fmt.Sprintf(`publish %s. TXT "v=STSv1; id=%s"`, name, "20260101T000000"),
		}
		return f
	case 1:
	default:
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("%d MTA-STS records: senders then treat the domain as having no policy (RFC 8461 section 3.1)", len(f.Records))
		f.Instructions = []string{"keep one TXT record starting v=STSv1 and delete the others"}
		return f
	}
	if err := parseSTSRecord(f.Records[0]); err != nil {
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("the MTA-STS record is malformed (%v), so senders ignore the policy", err)
		f.Instructions = []string{fmt.Sprintf(`correct it, e.g. %s. TXT "v=STSv1; id=20260101T000000"`, name)}
		return f
	}
	f.Trace = append(f.Trace, "policy "+polURL)
	if env.Get == nil {
		f.Verdict, f.Meaning = Unknown, "the policy could not be fetched: no HTTPS client configured"
		return f
	}
	body, err := env.Get(ctx, polURL, maxPolicyBody)
	if err != nil {
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("the policy at %s could not be fetched (%v): senders that have no cached copy apply none", polURL, err)
		f.Instructions = []string{fmt.Sprintf("serve the policy at %s with a certificate valid for mta-sts.%s, answering 200 without redirects", polURL, t.Domain)}
		return f
	}
	pol, err := ParseSTSPolicy(string(body))
	if err != nil {
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("the policy at %s is malformed (%v), so senders ignore it", polURL, err)
		f.Instructions = []string{`correct it: lines "version: STSv1", "mode: enforce|testing|none", "mx: <pattern>" (one per MX) and "max_age: <seconds>"`}
		return f
	}
	f.Records = append(f.Records, strings.TrimSpace(string(body)))
	f.Value = pol.Mode
	f.Trace = append(f.Trace, fmt.Sprintf("mode %s, max_age %d, mx %s", pol.Mode, pol.MaxAge, strings.Join(pol.MX, " ")))
	unmatched := judgeMXs(ctx, env, t.Domain, pol, &f)
	switch {
	case pol.Mode == "enforce" && len(unmatched) > 0:
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("policy enforce, but MX %s matches none of its mx patterns: senders that apply it refuse to deliver there", strings.Join(unmatched, ", "))
		f.Instructions = append(f.Instructions, fmt.Sprintf("add \"mx: %s\" to the policy and change the id= of the TXT record", unmatched[0]))
	case pol.Mode == "enforce":
		f.Verdict = OK
		f.Meaning = "policy enforce: senders deliver only over TLS with a valid certificate to the listed MX hosts"
	case pol.Mode == "testing":
		f.Verdict = Warn
		f.Meaning = "policy testing: senders report failures (TLS-RPT) but still deliver without TLS"
		f.Instructions = append(f.Instructions, "when the TLS reports are clean, change the policy to \"mode: enforce\" and the TXT record's id=")
	default:
		f.Verdict = Warn
		f.Meaning = "policy none: MTA-STS is switched off for the domain"
	}
	if len(unmatched) > 0 && pol.Mode != "enforce" {
		f.Meaning += fmt.Sprintf("; MX %s matches none of the policy's mx patterns", strings.Join(unmatched, ", "))
		f.Instructions = append(f.Instructions, fmt.Sprintf("add \"mx: %s\" to the policy", unmatched[0]))
	}
	if pol.MaxAge < 86400 && pol.Mode != "none" {
		if f.Verdict == OK {
			f.Verdict = Warn
		}
		f.Meaning += fmt.Sprintf("; max_age %d is under a day, so the policy protects little between fetches (RFC 8461 section 3.2 suggests weeks)", pol.MaxAge)
		f.Instructions = append(f.Instructions, "set \"max_age: 604800\" (a week) or more")
	}
	return f
}

// judgeMXs matches every MX host of the domain against the policy and returns those that match none.
func judgeMXs(ctx context.Context, env *Env, domain string, pol *STSPolicy, f *Finding) []string {
	mxs, a := mxHosts(ctx, env.Resolver, domain)
	if a.err != nil {
		f.Trace = append(f.Trace, fmt.Sprintf("the MX records could not be read (%v)", a.err))
		return nil
	}
	var unmatched []string
	for _, mx := range mxs {
		host := strings.ToLower(strings.TrimSuffix(mx.Host, "."))
		if pat := stsMatch(host, pol.MX); pat != "" {
			f.Trace = append(f.Trace, fmt.Sprintf("MX %s matches %s", host, pat))
		} else {
			f.Trace = append(f.Trace, fmt.Sprintf("MX %s matches no mx pattern", host))
			unmatched = append(unmatched, host)
		}
	}
	return unmatched
}

// stsMatch returns the pattern host matches (RFC 8461 section 4.1: exact, or "*." standing for exactly
// one leftmost label), or "".
func stsMatch(host string, patterns []string) string {
	for _, p := range patterns {
		lp := strings.ToLower(strings.TrimSuffix(p, "."))
		if lp == host {
			return p
		}
		if rest, ok := strings.CutPrefix(lp, "*."); ok {
			if _, tail, ok := strings.Cut(host, "."); ok && tail == rest {
				return p
			}
		}
	}
	return ""
}

// parseSTSRecord checks the TXT record (RFC 8461 section 3.1): v=STSv1 first, and an id= of 1-32
// letters and digits.
func parseSTSRecord(rec string) error {
	fields := strings.Split(rec, ";")
	if strings.TrimSpace(fields[0]) != "v=STSv1" {
		return fmt.Errorf("it does not start with v=STSv1")
	}
	for _, fld := range fields[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(fld), "=")
		if k != "id" {
			continue
		}
		if len(v) < 1 || len(v) > 32 || strings.IndexFunc(v, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) >= 0 {
			return fmt.Errorf("id=%q is not 1-32 letters and digits", v)
		}
		return nil
	}
	return fmt.Errorf("it has no id=")
}

// ParseSTSPolicy reads a policy file (RFC 8461 section 3.2): "key: value" lines, CRLF or LF.
func ParseSTSPolicy(body string) (*STSPolicy, error) {
	p := &STSPolicy{MaxAge: -1}
	version := ""
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %q is not key: value", clip(line))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "version":
			version = v
		case "mode":
			if v != "enforce" && v != "testing" && v != "none" {
				return nil, fmt.Errorf("mode %q is not enforce, testing or none", clip(v))
			}
			p.Mode = v
		case "max_age":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 31557600 {
				return nil, fmt.Errorf("max_age %q is not 0-31557600 seconds", clip(v))
			}
			p.MaxAge = n
		case "mx":
			if len(p.MX) < maxNames*4 {
				p.MX = append(p.MX, v)
			}
		}
	}
	switch {
	case version != "STSv1":
		return nil, fmt.Errorf("version is %q, not STSv1", clip(version))
	case p.Mode == "":
		return nil, fmt.Errorf("it has no mode")
	case p.MaxAge < 0:
		return nil, fmt.Errorf("it has no max_age")
	case len(p.MX) == 0 && p.Mode != "none":
		return nil, fmt.Errorf("it lists no mx")
	}
	return p, nil
}

// clip shortens a quoted piece of a record for a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
