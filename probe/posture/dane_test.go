package posture

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"
)

func selfSigned(t *testing.T, host string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A TLSA record made for the old certificate no longer matches after a renewal with a new key: fail, with
// the record to publish for the new one.
func TestDANEAfterRenewal(t *testing.T) {
	old, renewed := selfSigned(t, "mx.good.posture.test"), selfSigned(t, "mx.good.posture.test")
	e := env(t, world(t, "_25._tcp.mx.good.posture.test. 300 IN TLSA 3 1 1 "+tlsaData(old, 1, 1)), nil)
	f := CheckDANE(context.Background(), e, "good.posture.test", []MXCert{{Host: "mx.good.posture.test.", Chain: []*x509.Certificate{old}}})
	if f.Value != "valid" || f.Verdict != Warn || !strings.Contains(f.Meaning, "did not mark the TLSA answers DNSSEC-validated") {
		t.Errorf("before the renewal: %s %s %q", f.Verdict, f.Value, f.Meaning)
	}
	f = CheckDANE(context.Background(), e, "good.posture.test", []MXCert{{Host: "mx.good.posture.test.", Chain: []*x509.Certificate{renewed}}})
	want(t, f, Fail, "mismatch")
	if !strings.Contains(strings.Join(f.Instructions, "\n"), "TLSA 3 1 1 "+tlsaData(renewed, 1, 1)) {
		t.Errorf("the instructions do not give the new record: %q", f.Instructions)
	}
	f = CheckDANE(context.Background(), e, "nothing.posture.test", []MXCert{{Host: "mx.nothing.posture.test", Chain: []*x509.Certificate{renewed}}})
	want(t, f, Absent, "")
}
