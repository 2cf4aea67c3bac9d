package posture

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe"
)

// DANE for SMTP (RFC 7672): the MX hosts' TLSA records, verified against the certificate chain the
// probe's own STARTTLS handshake received, so a TLSA record left behind by a certificate renewal is
// caught. It runs after the probe (it needs the probe's certificates), not in the concurrent registry.

// MXCert is the chain one MX host presented to the probe's STARTTLS on port 25, leaf first.
type MXCert struct {
	Host  string
	Chain []*x509.Certificate
}

// AddDANE runs the DANE check for the certificates the probe got on port 25 of the domain's MX hosts
// (other hosts' port 25 is not where senders deliver) and appends its finding.
func (r *Report) AddDANE(ctx context.Context, env *Env, got []MXCert) {
	start := time.Now()
	mxs, _ := mxHosts(ctx, env.Resolver, r.Domain)
	var mx []MXCert
	for _, m := range mxs {
		host := strings.ToLower(strings.TrimSuffix(m.Host, "."))
		for _, g := range got {
			if strings.ToLower(strings.TrimSuffix(g.Host, ".")) == host && len(g.Chain) > 0 {
				mx = append(mx, g)
				break
			}
		}
	}
	f := CheckDANE(ctx, env, r.Domain, mx)
	f.TimeMS = ms(time.Since(start))
	r.Checks = append(r.Checks, f)
}

// CheckDANE verifies each MX host's TLSA records (_25._tcp.HOST) against the chain it presented.
func CheckDANE(ctx context.Context, env *Env, domain string, mx []MXCert) Finding {
	f := Finding{Check: "dane", Name: "_25._tcp.<MX>"}
	if len(mx) == 0 {
		f.Verdict = Unknown
		f.Meaning = "the probe got no certificate from an MX host over STARTTLS on port 25, so the TLSA records could not be verified"
		return f
	}
	var matched, broken, without []string
	unvalidated := false
	for _, m := range mx {
		host := strings.ToLower(strings.TrimSuffix(m.Host, "."))
		name := "_25._tcp." + host
		msg, a := query(ctx, env.Resolver, name, dns.TypeTLSA)
		if a.err != nil {
			f.Trace = append(f.Trace, fmt.Sprintf("%s: no answer (%v)", name, a.err))
			continue
		}
		var tlsa []*dns.TLSA
		if msg != nil {
			for _, rr := range msg.Answer {
				if t, ok := rr.(*dns.TLSA); ok && len(tlsa) < maxTXTRecords {
					tlsa = append(tlsa, t)
				}
			}
			if len(tlsa) > 0 && !msg.AuthenticatedData {
				unvalidated = true
			}
		}
		if len(tlsa) == 0 {
			without = append(without, host)
			f.Instructions = append(f.Instructions, publishTLSA(name, m.Chain))
			continue
		}
		ok := false
		for _, t := range tlsa {
			rec := fmt.Sprintf("%s TLSA %d %d %d %s", name, t.Usage, t.Selector, t.MatchingType, t.Certificate)
			f.Records = append(f.Records, rec)
			if why := tlsaMatches(t, m.Chain); why != "" {
				ok = true
				f.Trace = append(f.Trace, fmt.Sprintf("%s %d %d %d matches %s", name, t.Usage, t.Selector, t.MatchingType, why))
			} else {
				f.Trace = append(f.Trace, fmt.Sprintf("%s %d %d %d matches no certificate %s presented", name, t.Usage, t.Selector, t.MatchingType, host))
			}
		}
		if ok {
			matched = append(matched, host)
			if len(tlsa) == 1 {
				f.Trace = append(f.Trace, name+": one TLSA record: publish the next key's record too before the next renewal (RFC 7671 section 8.1, key rollover)")
			}
			continue
		}
		broken = append(broken, host)
		f.Instructions = append(f.Instructions, "replace the TLSA records that match nothing with: "+publishTLSA(name, m.Chain))
	}
	switch {
	case len(broken) > 0:
		f.Verdict, f.Value = Fail, "mismatch"
		f.Meaning = fmt.Sprintf("the TLSA records of %s match no certificate the server presents (often a renewal that left the old record behind): senders that use DANE refuse to deliver there (Exchange Online: 5.7.323 tlsa-invalid)", strings.Join(broken, ", "))
	case len(matched) > 0:
		f.Verdict, f.Value = OK, "valid"
		f.Meaning = fmt.Sprintf("the TLSA records of %s match the certificate the probe got", strings.Join(matched, ", "))
		if len(without) > 0 {
			f.Verdict = Warn
			f.Meaning += fmt.Sprintf("; %s has none", strings.Join(without, ", "))
		}
	case len(without) > 0:
		f.Verdict = Absent
		f.Meaning = fmt.Sprintf("no TLSA records for %s: senders cannot use DANE to authenticate them", strings.Join(without, ", "))
		f.Instructions = append(f.Instructions, "TLSA records protect only in a DNSSEC-signed zone: sign the zone first")
	default:
		f.Verdict = Unknown
		f.Meaning = "the TLSA records could not be read (see the trace)"
	}
	if unvalidated && f.Verdict != Absent {
		f.Meaning += fmt.Sprintf("; the resolver %s did not mark the TLSA answers DNSSEC-validated (no AD bit): senders use them only when they validate — check with a validating resolver (--resolver)", resolverName(env.Resolver))
		if f.Verdict == OK {
			f.Verdict = Warn
		}
	}
	return f
}

// tlsaMatches says which certificate of the chain a TLSA record matches ("" for none). RFC 7672 section
// 3.1: DANE-EE (3) matches the leaf, DANE-TA (2) a certificate above it; PKIX-TA/EE (0, 1) are not used
// for SMTP and match nothing.
func tlsaMatches(t *dns.TLSA, chain []*x509.Certificate) string {
	var candidates []*x509.Certificate
	switch t.Usage {
	case 3:
		if len(chain) > 0 {
			candidates = chain[:1]
		}
	case 2:
		if len(chain) > 1 {
			candidates = chain[1:]
		}
	default:
		return ""
	}
	for _, c := range candidates {
		if tlsaData(c, t.Selector, t.MatchingType) == strings.ToLower(t.Certificate) {
			return "the certificate " + c.Subject.String()
		}
	}
	return ""
}

// tlsaData is a certificate's TLSA association data for a selector (0 whole certificate, 1 public key)
// and matching type (0 exact, 1 SHA-256, 2 SHA-512), in hex; "" for values RFC 6698 does not define.
func tlsaData(c *x509.Certificate, selector, matching uint8) string {
	var b []byte
	switch selector {
	case 0:
		b = c.Raw
	case 1:
		b = c.RawSubjectPublicKeyInfo
	default:
		return ""
	}
	switch matching {
	case 0:
	case 1:
		h := sha256.Sum256(b)
		b = h[:]
	case 2:
		h := sha512.Sum512(b)
		b = h[:]
	default:
		return ""
	}
	return hex.EncodeToString(b)
}

// publishTLSA is the DANE-EE record (3 1 1: the leaf's public key, SHA-256) for the chain's leaf, which
// survives renewals that keep the key.
func publishTLSA(name string, chain []*x509.Certificate) string {
	if len(chain) == 0 {
		return "publish a TLSA 3 1 1 record at " + name
	}
	return fmt.Sprintf("publish %s. TLSA 3 1 1 %s", name, tlsaData(chain[0], 1, 1))
}

// MXCertsOf are the chains the probe got on port 25, by host (the first endpoint with a chain).
func MXCertsOf(rep *probe.Report) []MXCert {
	var out []MXCert
	seen := map[string]bool{}
	for _, ep := range rep.Endpoints {
		if ep.Protocol != probe.SMTP || ep.Port != 25 || ep.TLS == nil || seen[ep.Host] {
			continue
		}
		var chain []*x509.Certificate
		for _, c := range ep.TLS.Chain {
			cert, err := x509.ParseCertificate(c.Raw)
			if err != nil {
				break
			}
			chain = append(chain, cert)
		}
		if len(chain) > 0 {
			seen[ep.Host] = true
			out = append(out, MXCert{Host: ep.Host, Chain: chain})
		}
	}
	return out
}
