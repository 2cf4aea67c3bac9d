package probe

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fixedDialer sends every dial to one real loopback address, whatever address the probe asks for.
type fixedDialer struct{ addr string }

func (d fixedDialer) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.addr)
}

// blockingDialer never connects, like a firewall that drops SYNs: it returns what net.Dialer returns
// when its context deadline passes.
type blockingDialer struct{}

func (blockingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	<-ctx.Done()
	var nd net.Dialer
	// Dialing with an expired context yields exactly the error type a real timed-out dial returns.
	return nd.DialContext(ctx, network, "127.0.0.1:9")
}

// droppedSYN is the error a dial gets when the kernel gives up on an unanswered SYN.
func droppedSYN(network, addr string) error {
	return &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ETIMEDOUT)}
}

// barrierDialer holds every dial until n of them wait at once, then fails them all as dropped SYNs. A
// runner that dials side by side gets through at once; one that dials one after another never has n
// waiting, so each of its dials waits for its step to run out instead, which the test sees in released.
// No clock decides anything.
type barrierDialer struct {
	n        int
	mu       sync.Mutex
	waiting  int
	all      chan struct{}
	released atomic.Int32
}

func newBarrierDialer(n int) *barrierDialer { return &barrierDialer{n: n, all: make(chan struct{})} }

func (d *barrierDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	if d.waiting++; d.waiting == d.n {
		close(d.all)
	}
	d.mu.Unlock()
	select {
	case <-d.all:
		d.released.Add(1)
		return nil, droppedSYN(network, addr)
	case <-ctx.Done():
		return blockingDialer{}.DialContext(ctx, network, addr)
	}
}

// scripted starts a one-shot server on 127.0.0.1:0 whose handler scripts the conversation. Handler errors
// are reported with t.Error from the test goroutine via the returned wait function; never panics.
func scripted(t *testing.T, handler func(c net.Conn, r *bufio.Reader) error) (addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if err := handler(c, bufio.NewReader(c)); err != nil {
					errc <- err
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		close(errc)
		for err := range errc {
			if !isBenignServerErr(err) {
				t.Errorf("scripted server: %v", err)
			}
		}
	})
	return ln.Addr().String()
}

func isBenignServerErr(err error) bool {
	s := err.Error()
	return strings.Contains(s, "EOF") || strings.Contains(s, "reset by peer") || strings.Contains(s, "broken pipe") || strings.Contains(s, "use of closed")
}

// expect reads one line and checks its prefix.
func expect(r *bufio.Reader, prefix string) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(strings.ToUpper(line), strings.ToUpper(prefix)) {
		return &unexpectedLine{line: line, want: prefix}
	}
	return nil
}

type unexpectedLine struct{ line, want string }

func (e *unexpectedLine) Error() string { return "got " + e.line + ", want " + e.want }

// testCert makes a self-signed certificate for host, valid from nb to na, and a pool trusting it.
func testCert(t *testing.T, host string, nb, na time.Time) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func problemCodes(res Result) []string {
	var codes []string
	for _, p := range res.Problems {
		codes = append(codes, p.Code)
	}
	return codes
}

func hasProblem(res Result, code string) bool {
	for _, p := range res.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// answeringBudget is the step budget of tests whose servers answer: no machine, however busy, needs it,
// so only a server that really stays silent can run into it.
const answeringBudget = 30 * time.Second

// silenceWait is the step budget of tests that wait for a server's silence on purpose: how long the probe
// waits for an answer that never comes. Its length changes nothing but how long the test takes and what
// the TLS question inside a silent greeting step has (tlsquestion.go): three quarters of it, 3 s, more
// than a handshake needs on a starved machine.
const silenceWait = 4 * time.Second

// newTestProber probes through d with the answering budget; a test that waits for silence sets its own.
func newTestProber(d Dialer, roots *x509.CertPool) *Prober {
	return NewProber(Config{Dialer: d, RootCAs: roots, Timeout: answeringBudget, Transcript: true})
}
