package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/session"
)

// classifyIn is classify for an error met during a run whose context may have ended: then the run's own
// time limit, not the server, cut the step short, and saying otherwise would blame the server (and let
// 'check --expect absent' pass against a server that is there).
func classifyIn(ctx context.Context, err error, dialing bool) string {
	// A step's deadline is capped at the run's (session.deadline), so an I/O timeout can fire a moment
	// before the context's own timer: the clock decides, not only ctx.Err().
	if Interrupted(ctx) {
		return catalog.Interrupted
	}
	if dl, ok := ctx.Deadline(); ctx.Err() != nil || ok && !time.Now().Before(dl) {
		return catalog.TimeLimit
	}
	return classify(err, dialing)
}

// classify sorts an error into a problem code, in this one place, by type (errors.Is / errors.As), never by
// matching error text. dialing says whether the error came from establishing the TCP connection.
func classify(err error, dialing bool) string {
	var (
		dnsErr    *DNSError
		recErr    tls.RecordHeaderError
		alertErr  tls.AlertError
		protoErr  *session.ProtocolError
		replyErr  *session.ReplyError
		certErr   *tls.CertificateVerificationError
		netDNSErr *net.DNSError
		limitErr  *session.ReadLimitError
		lineErr   *session.LineTooLongError
		denied    *netpolicy.DeniedError
	)
	switch {
	case errors.As(err, &denied):
		// The connection policy refused the dial: nothing was sent, the server is not to blame.
		return catalog.AddressNotAllowed
	case isLocalResource(err):
		// Checked first: a DNS query or a dial that failed for want of a file descriptor says nothing
		// about the resolver or the server.
		return catalog.LocalResources
	case errors.As(err, &limitErr), errors.As(err, &lineErr):
		return catalog.ReplyTooLarge
	case errors.As(err, &dnsErr):
		return classifyDNS(dnsErr)
	case errors.As(err, &netDNSErr):
		if netDNSErr.IsNotFound {
			return catalog.DNSNotFound
		}
		if netDNSErr.IsTimeout {
			return catalog.DNSTimeout
		}
		return catalog.DNSServerFailure
	case errors.Is(err, syscall.ECONNREFUSED):
		return catalog.ConnectRefused
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EADDRNOTAVAIL):
		return catalog.NetworkUnreachable
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return catalog.ConnectionReset
	case errors.As(err, &recErr):
		// Go's TLS client read a first record that is not TLS: the server spoke plain text.
		return catalog.TLSOnPlainPort
	case errors.As(err, &alertErr):
		return catalog.TLSHandshake
	case errors.As(err, &certErr):
		return classifyCert(certErr)
	case errors.As(err, &replyErr):
		switch replyErr.Command {
		case "STARTTLS":
			return catalog.STARTTLSFailed
		case "":
		default: // a refused HELO/EHLO: the server will not talk to this client
			return catalog.PolicyRejected
		}
		if replyErr.Temporary {
			return catalog.GreetingTempFail
		}
		return catalog.GreetingRejected
	case errors.As(err, &protoErr):
		return catalog.ProtocolError
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return catalog.ConnectionClosed
	case session.IsTimeout(err):
		if dialing {
			return catalog.ConnectTimeout
		}
		return catalog.ResponseTimeout
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "remote error" {
		return catalog.TLSHandshake
	}
	if dialing {
		return catalog.NetworkUnreachable
	}
	return catalog.ProtocolError
}

// isLocalResource says whether err is this machine running out of file descriptors, sockets or buffers.
func isLocalResource(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || errors.Is(err, syscall.ENOBUFS)
}

func classifyDNS(e *DNSError) string {
	switch {
	case e.Err != nil:
		switch {
		case session.IsTimeout(e.Err):
			return catalog.DNSTimeout
		case errors.Is(e.Err, syscall.ECONNREFUSED), errors.Is(e.Err, syscall.ENETUNREACH), errors.Is(e.Err, syscall.EHOSTUNREACH):
			// Nothing listens at the resolver's address (an ICMP port unreachable), or no route to it:
			// no DNS server failed, none answered.
			return catalog.DNSUnreachable
		}
		return catalog.DNSServerFailure
	case len(e.CNAMELoop) > 0:
		return catalog.DNSServerFailure
	case e.NoData:
		return catalog.DNSNoAddress
	case e.Rcode == dns.RcodeNameError:
		return catalog.DNSNotFound
	case e.Rcode == dns.RcodeServerFailure:
		return catalog.DNSServerFailure
	default: // REFUSED, FORMERR, NOTIMP and the rest
		return catalog.DNSRefused
	}
}

// classifyCert reads a certificate the TLS handshake rejected (login and send verify during the
// handshake): expired or not yet valid, another host's, or untrusted.
func classifyCert(e *tls.CertificateVerificationError) string {
	var (
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
	)
	switch {
	case errors.As(e.Err, &hostname):
		return catalog.CertHostMismatch
	case errors.As(e.Err, &invalid) && invalid.Reason == x509.Expired:
		if len(e.UnverifiedCertificates) > 0 && time.Now().Before(e.UnverifiedCertificates[0].NotBefore) {
			return catalog.CertNotYetValid
		}
		return catalog.CertExpired
	}
	return catalog.CertUntrusted
}
