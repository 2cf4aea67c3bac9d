package sandbox

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"testing"
)

func TestCertificateKinds(t *testing.T) {
	sb := start(t)
	tests := []struct {
		name  string
		addr  string
		host  string
		check func(error) bool
	}{
		{"good", "127.0.0.2:993", "imap.sandbox.test", func(err error) bool { return err == nil }},
		{"good POP3S", "127.0.0.3:995", "pop3.sandbox.test", func(err error) bool { return err == nil }},
		{"expired", "127.0.0.4:465", "smtp.sandbox.test", func(err error) bool {
			var ci x509.CertificateInvalidError
			return errors.As(err, &ci) && ci.Reason == x509.Expired
		}},
		{"not yet valid", faultsIP + ":993", "faults.sandbox.test", func(err error) bool {
			// Go reports a certificate outside its validity window, either side, as Expired.
			var ci x509.CertificateInvalidError
			return errors.As(err, &ci) && ci.Reason == x509.Expired
		}},
		{"wrong host", "127.0.0.5:993", "mail.sandbox.test", func(err error) bool {
			var he x509.HostnameError
			return errors.As(err, &he) && he.Host == "mail.sandbox.test"
		}},
		{"self-signed", faultsIP + ":995", "faults.sandbox.test", func(err error) bool {
			var ua x509.UnknownAuthorityError
			return errors.As(err, &ua)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := tls.Client(dial(t, sb, tc.addr), &tls.Config{RootCAs: sb.RootCAs, ServerName: tc.host})
			err := conn.Handshake()
			if !tc.check(err) {
				t.Fatalf("handshake: %#v", err)
			}
		})
	}
	// The wrong-host certificate is valid for the name it was issued to.
	conn := tls.Client(dial(t, sb, "127.0.0.5:993"), &tls.Config{RootCAs: sb.RootCAs, ServerName: "hosting.example.net"})
	if err := conn.Handshake(); err != nil {
		t.Errorf("wrong-host cert for its own name: %v", err)
	}
}

func TestCAFile(t *testing.T) {
	sb := start(t)
	b, err := os.ReadFile(sb.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("CAFile holds no PEM block")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !ca.IsCA {
		t.Fatalf("CAFile: %v, IsCA %v", err, ca != nil && ca.IsCA)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b)
	conn := tls.Client(dial(t, sb, "127.0.0.2:993"), &tls.Config{RootCAs: pool, ServerName: "imap.sandbox.test"})
	if err := conn.Handshake(); err != nil {
		t.Fatalf("handshake trusting CAFile: %v", err)
	}
}

func TestOutdatedTLSVersion(t *testing.T) {
	sb := start(t)
	// Go's client refuses TLS 1.1 by default, as a modern client does.
	conn := tls.Client(dial(t, sb, faultsIP+":465"), &tls.Config{RootCAs: sb.RootCAs, ServerName: "faults.sandbox.test"})
	if err := conn.Handshake(); err == nil {
		t.Fatalf("handshake with a TLS 1.1 server succeeded with default settings")
	}
	conn = tls.Client(dial(t, sb, faultsIP+":465"), &tls.Config{RootCAs: sb.RootCAs, ServerName: "faults.sandbox.test",
		MinVersion: tls.VersionTLS10})
	if err := conn.Handshake(); err != nil {
		t.Fatalf("handshake allowing TLS 1.0: %v", err)
	}
	if v := conn.ConnectionState().Version; v != tls.VersionTLS11 {
		t.Errorf("version %s, want TLS 1.1", tls.VersionName(v))
	}
}
