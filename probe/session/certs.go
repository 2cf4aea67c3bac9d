package session

import (
	"crypto/tls"
	"crypto/x509"
	"sync"
)

// ClientTLSConfig is the client configuration of a handshake that is judged afterwards (probe verifies the
// chain, dates and name itself), so that one connection yields every certificate problem at once (expired
// AND wrong host) and the probe can still read the greeting behind a bad certificate.
func ClientTLSConfig(host string) *tls.Config {
	return &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: true, // verified afterwards by the caller, against its roots and the host name
		// Accept TLS 1.0/1.1 so that an outdated server is reported as such, not as a handshake failure.
		MinVersion: tls.VersionTLS10,
	}
}

// WatchedTLSConfig is tlsConfig that keeps the certificates the server sends, so that they can be
// verified and reported even when the handshake fails after they arrived.
func WatchedTLSConfig(host string) (*tls.Config, *PeerCerts) {
	cfg := ClientTLSConfig(host)
	seen := &PeerCerts{}
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		seen.keep(raw)
		return nil
	}
	return cfg, seen
}

// PeerCerts are the certificates a server sent during a handshake.
type PeerCerts struct {
	mu   sync.Mutex
	list []*x509.Certificate
}

// keep parses what the handshake received; a chain mailcheck cannot parse is left out (the handshake
// itself reports it).
func (pc *PeerCerts) keep(raw [][]byte) {
	var list []*x509.Certificate
	for _, der := range raw {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		list = append(list, c)
	}
	pc.mu.Lock()
	pc.list = list
	pc.mu.Unlock()
}

func (pc *PeerCerts) Certs() []*x509.Certificate {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.list
}
