package posture

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// TLS-RPT (RFC 8460) is a one-line record: parsed here, since the libraries that parse it (mox's tlsrpt)
// bring mox's whole module for a few lines.

func checkTLSRPT(ctx context.Context, env *Env, t Target) Finding {
	// RFC 8460 section 3: records not starting with v=TLSRPTv1 are discarded; not exactly one left means
	// the domain has no TLS-RPT.
	name := "_smtp._tls." + t.Domain
	f, ok := records(ctx, env, name, "v=TLSRPTv1")
	if !ok {
		return f
	}
	switch len(f.Records) {
	case 0:
		f.Verdict = Absent
		f.Meaning = "the domain publishes no TLS-RPT record, so senders do not report failed TLS or MTA-STS/DANE deliveries to it"
		f.Instructions = []string{fmt.Sprintf(`publish %s. TXT "v=TLSRPTv1; rua=mailto:tls-reports@%s"`, name, t.Domain)}
		return f
	case 1:
	default:
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("%d TLS-RPT records: senders then assume the domain has none (RFC 8460 section 3)", len(f.Records))
		f.Instructions = []string{"keep one TXT record starting v=TLSRPTv1 and delete the others"}
		return f
	}
	rua, err := ParseTLSRPT(f.Records[0])
	if err != nil {
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("the TLS-RPT record is malformed (%v), so senders ignore it", err)
		f.Instructions = []string{fmt.Sprintf(`correct it, e.g. %s. TXT "v=TLSRPTv1; rua=mailto:tls-reports@%s"`, name, t.Domain)}
		return f
	}
	f.Verdict, f.Value = OK, strings.Join(rua, ",")
	f.Meaning = "senders report failed TLS deliveries daily to " + strings.Join(rua, ", ")
	return f
}

// ParseTLSRPT reads a TLS-RPT record (RFC 8460 section 3) and returns its report URIs, each mailto: or
// https:.
func ParseTLSRPT(rec string) ([]string, error) {
	fields := strings.Split(rec, ";")
	if strings.TrimSpace(fields[0]) != "v=TLSRPTv1" {
		return nil, fmt.Errorf("it does not start with v=TLSRPTv1")
	}
	var rua []string
	seen := false
	for _, fld := range fields[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(fld), "=")
		if !ok {
			if strings.TrimSpace(fld) == "" {
				continue
			}
			return nil, fmt.Errorf("%q is not key=value", fld)
		}
		if strings.TrimSpace(k) != "rua" {
			continue // extension fields are ignored (RFC 8460 section 3)
		}
		if seen {
			return nil, fmt.Errorf("rua is given twice")
		}
		seen = true
		for _, u := range strings.Split(v, ",") {
			u = strings.TrimSpace(u)
			p, err := url.Parse(u)
			if err != nil || (p.Scheme != "mailto" && p.Scheme != "https") || (p.Opaque == "" && p.Host == "") {
				return nil, fmt.Errorf("report address %q is neither mailto: nor https:", u)
			}
			rua = append(rua, u)
		}
	}
	if len(rua) == 0 {
		return nil, fmt.Errorf("it has no rua= report address")
	}
	return rua, nil
}
