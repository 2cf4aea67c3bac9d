package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// authority is the sandbox CA and the leaf certificates it issued. Keys are ECDSA P-256: generating one
// takes microseconds, so Start stays fast.
type authority struct {
	now  time.Time
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte

	mu    sync.Mutex
	cache map[leafKey]*tls.Certificate
}

type leafKey struct {
	kind CertKind
	host string
}

const day = 24 * time.Hour

// newAuthority makes a CA valid from an hour before now for ten years.
func newAuthority(now time.Time) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sandbox: CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "mailcheck sandbox CA", Organization: []string{"mailcheck sandbox"}},
		NotBefore:             now.Add(-365 * day), // long before any leaf, as a real CA
		NotAfter:              now.Add(10 * 365 * day),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("sandbox: CA certificate: %w", err)
	}
	return &authority{
		now:   now,
		cert:  cert,
		key:   key,
		pem:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		cache: make(map[leafKey]*tls.Certificate),
	}, nil
}

// serial is a random 128-bit serial number (RFC 5280 section 4.1.2.2 allows up to 20 octets).
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		// crypto/rand does not fail on Linux (it would have crashed the program already).
		return big.NewInt(time.Now().UnixNano())
	}
	return n.Add(n, big.NewInt(1))
}

// leaf returns the certificate of a kind for a host, making it on first use.
func (a *authority) leaf(kind CertKind, host string) (*tls.Certificate, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := leafKey{kind, host}
	if c := a.cache[k]; c != nil {
		return c, nil
	}
	notBefore, notAfter := a.now.Add(-time.Hour), a.now.Add(90*day)
	switch kind {
	case CertGood, CertWrongHost, CertSelfSigned:
	case CertExpired:
		notBefore, notAfter = a.now.Add(-60*day), a.now.Add(-day)
	case CertNotYetValid:
		notBefore, notAfter = a.now.Add(day), a.now.Add(90*day)
	default:
		return nil, fmt.Errorf("sandbox: unknown certificate kind %d", int(kind))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sandbox: leaf key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: strings.Split(host, ",")[0]},
		DNSNames:              strings.Split(host, ","),
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	parent, signer := a.cert, a.key
	if kind == CertSelfSigned {
		tmpl.Subject.Organization = []string{"self-signed"}
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %s certificate for %s: %w", kind, host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %s certificate for %s: %w", kind, host, err)
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	a.cache[k] = c
	return c, nil
}
