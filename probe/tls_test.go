package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// TestCertificateBeforeAnAlert: a server sends its certificate and then ends the handshake with an alert
// (here: it demands a client certificate mailcheck does not have). The certificate that arrived is still
// verified and reported, as curl and openssl report "certificate has expired".
func TestCertificateBeforeAnAlert(t *testing.T) {
	cert, pool := testCert(t, "mail.example.test", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	addr := scripted(t, func(c net.Conn, _ *bufio.Reader) error {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12, ClientAuth: tls.RequireAnyClientCert})
		_ = tc.Handshake() // fails: no client certificate; the alert goes to the client
		return nil
	})
	p := newTestProber(fixedDialer{addr}, pool)
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS}, "127.0.0.1", SourceExplicit)
	if !hasProblem(res, catalog.TLSHandshake) || !hasProblem(res, catalog.CertExpired) {
		t.Errorf("problems %v, want tls_handshake_failed and cert_expired", problemCodes(res))
	}
	if res.TLS == nil || res.TLS.Verified || len(res.TLS.Chain) != 1 || res.TLS.Chain[0].DaysLeft >= 0 {
		t.Errorf("tls %+v: want the expired certificate that arrived, not verified", res.TLS)
	}
	if res.Status != StatusFail {
		t.Errorf("status %s, want fail", res.Status)
	}
}
