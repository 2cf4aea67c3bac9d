package probe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// inspectTLS records the negotiated parameters and certificate chain and verifies them like a mail client
// would: chain to a trusted root, validity period, host name.
func (p *Prober) inspectTLS(cs tls.ConnectionState, host string) (*TLSInfo, []Problem) {
	var probs []Problem
	if cs.Version < tls.VersionTLS12 {
		probs = append(probs, newProblem(catalog.TLSVersionOld,
			fmt.Sprintf("the server negotiated %s; current mail clients require TLS 1.2 or newer", tls.VersionName(cs.Version)), ""))
	}
	info, certProbs := p.inspectCerts(cs.PeerCertificates, host)
	info.Version, info.Cipher = tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite)
	return info, append(probs, certProbs...)
}

// inspectCerts records a certificate chain and verifies it like a mail client would.
func (p *Prober) inspectCerts(peer []*x509.Certificate, host string) (*TLSInfo, []Problem) {
	info := &TLSInfo{}
	now := p.now()
	for _, c := range peer {
		info.Chain = append(info.Chain, Certificate{
			Subject:   c.Subject.String(),
			Issuer:    c.Issuer.String(),
			DNSNames:  c.DNSNames,
			NotBefore: c.NotBefore.UTC(),
			NotAfter:  c.NotAfter.UTC(),
			DaysLeft:  daysBetween(now, c.NotAfter),
			Raw:       c.Raw,
		})
	}
	var probs []Problem
	if len(peer) == 0 {
		info.VerifyError = "the server sent no certificate"
		return info, append(probs, newProblem(catalog.CertUntrusted, "the server sent no certificate", ""))
	}
	leaf := peer[0]
	var verrs []string
	switch {
	case now.After(leaf.NotAfter):
		s := fmt.Sprintf("the certificate for %s expired on %s (%s ago)", host, leaf.NotAfter.UTC().Format(time.DateOnly), days(-daysBetween(now, leaf.NotAfter)))
		verrs = append(verrs, s)
		probs = append(probs, newProblem(catalog.CertExpired, s, ""))
	case now.Before(leaf.NotBefore):
		s := fmt.Sprintf("the certificate for %s is only valid from %s", host, leaf.NotBefore.UTC().Format(time.RFC3339))
		verrs = append(verrs, s)
		probs = append(probs, newProblem(catalog.CertNotYetValid, s, ""))
	case p.cfg.CertWarnDays > 0 && daysBetween(now, leaf.NotAfter) < p.cfg.CertWarnDays:
		probs = append(probs, newProblem(catalog.CertExpiringSoon,
			fmt.Sprintf("the certificate for %s expires on %s, in %s", host, leaf.NotAfter.UTC().Format(time.DateOnly), days(daysBetween(now, leaf.NotAfter))), ""))
	}
	// Trust is judged inside the leaf's validity window, so an expired certificate is not also reported as
	// untrusted when its chain is fine.
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter.Add(-time.Second)
	} else if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(time.Second)
	}
	inter := x509.NewCertPool()
	for _, c := range peer[1:] {
		inter.AddCert(c)
	}
	var ci x509.CertificateInvalidError
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: p.cfg.RootCAs, Intermediates: inter, CurrentTime: at}); err != nil &&
		!(errors.As(err, &ci) && ci.Reason == x509.Expired && !at.Equal(now)) { // an issuer not valid at the leaf's own expiry says nothing new
		s := describeVerifyError(err, leaf)
		verrs = append(verrs, s)
		probs = append(probs, newProblem(catalog.CertUntrusted, s, err.Error()))
	}
	if err := leaf.VerifyHostname(host); err != nil {
		s := fmt.Sprintf("the certificate is not valid for %s; it names %s", host, certNames(leaf))
		verrs = append(verrs, s)
		probs = append(probs, newProblem(catalog.CertHostMismatch, s, err.Error()))
	}
	info.Verified = len(verrs) == 0
	info.VerifyError = strings.Join(verrs, "; ")
	return info, probs
}

func describeVerifyError(err error, leaf *x509.Certificate) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		if leaf.Issuer.String() == leaf.Subject.String() {
			return "the certificate is self-signed (" + leaf.Subject.String() + ")"
		}
		return "the certificate is issued by " + leaf.Issuer.String() + ", which is not a trusted authority (or an intermediate certificate is missing)"
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) && ci.Reason == x509.Expired {
		return "a certificate in the chain is expired or not yet valid: " + ci.Detail
	}
	return "the certificate chain does not verify: " + err.Error()
}

func certNames(c *x509.Certificate) string {
	names := c.DNSNames
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = []string{c.Subject.CommonName}
	}
	if len(names) == 0 {
		return "no names"
	}
	return strings.Join(names, ", ")
}

// days writes a count of days for people: "less than a day", "1 day", "12 days".
func days(n int) string {
	switch n {
	case 0:
		return "less than a day"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// daysBetween counts whole days from now until t, truncated toward zero (negative when t is past).
func daysBetween(now, t time.Time) int {
	return int(t.Sub(now) / (24 * time.Hour))
}
