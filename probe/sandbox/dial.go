package sandbox

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"
)

// synTimeout is how long Linux retries an unanswered SYN with the default net.ipv4.tcp_syn_retries = 6:
// a black-holed dial without a context deadline gives up after it, with ETIMEDOUT, as the kernel does.
const synTimeout = 127 * time.Second

// DialContext is the dialer the probe injects: it maps "IP:stdport" (IPv6 as "[addr]:port") to the
// loopback listener of that Service and dials it, honouring ctx. It never dials anything but its own
// listeners. Its errors have the shapes net.Dialer returns, so errors.Is/As classify them alike:
//   - no Service: *net.OpError{Op: "dial"} wrapping *os.SyscallError{"connect", ECONNREFUSED}, as the
//     kernel answers for a closed port;
//   - BehaveRefuse: the same; BehaveUnreachable: the same with ENETUNREACH;
//   - BehaveBlackhole: waits for ctx, then *net.OpError wrapping an "i/o timeout" error that is a
//     net.Error with Timeout() true and matches both os.ErrDeadlineExceeded and context.DeadlineExceeded
//     (a cancelled ctx gives one matching context.Canceled instead); without a ctx deadline it gives up
//     after 127 s with ETIMEDOUT like Linux, or after Service.GiveUpAfter when that is set.
//
// A host name instead of an IP is looked up in the sandbox zone (A then AAAA), never in real DNS.
func (s *Sandbox) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.AddrError{Err: "invalid port", Addr: address}}
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a.Unmap().WithZone("")}
	} else {
		addrs = s.zone.addrsOf(host)
		if len(addrs) == 0 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		}
	}
	var first error
	for _, a := range addrs {
		if (network == "tcp4" && !a.Is4()) || (network == "tcp6" && a.Is4()) {
			continue
		}
		c, err := s.dialOne(ctx, network, netip.AddrPortFrom(a, uint16(port)))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if first == nil {
		first = &net.OpError{Op: "dial", Net: network, Err: &net.AddrError{Err: "no suitable address found", Addr: host}}
	}
	return nil, first
}

// dialOne dials one virtual address.
func (s *Sandbox) dialOne(ctx context.Context, network string, target netip.AddrPort) (net.Conn, error) {
	raddr := net.TCPAddrFromAddrPort(target)
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: network, Addr: raddr, Err: err}
	}
	// net.Dialer looks at the context before anything else.
	if err := ctx.Err(); err != nil {
		return nil, opErr(mapContextErr(err))
	}
	select {
	case <-s.done:
		return nil, opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED))
	default:
	}
	ep := s.endpoints[target]
	if ep == nil {
		ep = s.hostFaults[target.Addr()]
	}
	if ep == nil {
		return nil, opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED))
	}
	switch ep.svc.Behavior {
	case BehaveRefuse:
		return nil, opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED))
	case BehaveUnreachable:
		return nil, opErr(os.NewSyscallError("connect", syscall.ENETUNREACH))
	case BehaveBlackhole:
		giveUp := synTimeout
		if ep.svc.GiveUpAfter > 0 {
			giveUp = ep.svc.GiveUpAfter
		}
		t := time.NewTimer(giveUp)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, opErr(mapContextErr(ctx.Err()))
		case <-t.C:
			return nil, opErr(os.NewSyscallError("connect", syscall.ETIMEDOUT))
		case <-s.done:
			return nil, opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED))
		}
	}
	if ep.ln == nil {
		return nil, opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED))
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", ep.ln.Addr().String())
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			// Report the address the caller asked for, not the loopback port behind it.
			cp := *oe
			cp.Net, cp.Addr, cp.Source = network, raddr, nil
			return nil, &cp
		}
		return nil, opErr(err)
	}
	return &dialedConn{TCPConn: c.(*net.TCPConn), remote: raddr}, nil
}

// dialedConn is a connection to a sandbox listener that reports the virtual address it was dialled as.
type dialedConn struct {
	*net.TCPConn
	remote net.Addr
}

// RemoteAddr returns the address the caller dialled, e.g. 127.0.0.2:993.
func (c *dialedConn) RemoteAddr() net.Addr { return c.remote }

// mapContextErr turns a context error into the error net.Dialer wraps in its *net.OpError.
func mapContextErr(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return timeoutError{}
	case errors.Is(err, context.Canceled):
		return canceledError{}
	}
	return err
}

// timeoutError mirrors the error net.Dialer returns when the context's deadline passes ("i/o timeout",
// Timeout() true, matching context.DeadlineExceeded), and also matches os.ErrDeadlineExceeded, the error
// of a passed I/O deadline, so either test finds it.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded || target == os.ErrDeadlineExceeded
}

// canceledError mirrors the error net.Dialer returns when the context is cancelled.
type canceledError struct{}

func (canceledError) Error() string        { return "operation was canceled" }
func (canceledError) Is(target error) bool { return target == context.Canceled }
