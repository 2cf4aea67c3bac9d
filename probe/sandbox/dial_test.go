package sandbox

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// realRefused is what net.Dialer returns for a closed loopback port: the shape the sandbox must copy.
func realRefused(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var d net.Dialer
	c, err := d.DialContext(testCtx(t), "tcp", addr)
	if err == nil {
		c.Close()
		t.Skip("the freed port was taken again")
	}
	return err
}

func TestDialMapsToListeners(t *testing.T) {
	sb := start(t)
	c := dial(t, sb, "127.0.0.2:993")
	if got := c.RemoteAddr().String(); got != "127.0.0.2:993" {
		t.Errorf("RemoteAddr = %s, want the dialled address", got)
	}
	if real, ok := sb.RealAddr("127.0.0.2", 993); !ok || real == "127.0.0.2:993" {
		t.Errorf("RealAddr = %q, %v", real, ok)
	}
	// A name is looked up in the zone, not in real DNS.
	c = dial(t, sb, "imap.sandbox.test:993")
	if got := c.RemoteAddr().String(); got != "127.0.0.2:993" {
		t.Errorf("RemoteAddr = %s", got)
	}
	if _, err := sb.DialContext(testCtx(t), "tcp", "nowhere.sandbox.test:993"); !isDNSNotFound(err) {
		t.Errorf("unknown name: %v", err)
	}
}

func isDNSNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

func TestDialErrorsHaveTheKernelShapes(t *testing.T) {
	sb := start(t)
	want := realRefused(t)
	tests := []struct {
		addr  string
		errno syscall.Errno
	}{
		{"127.0.0.2:25", syscall.ECONNREFUSED},     // nothing listens
		{"127.0.0.3:110", syscall.ECONNREFUSED},    // BehaveRefuse
		{"192.0.2.1:993", syscall.ECONNREFUSED},    // not a sandbox address
		{"[2001:db8::2]:993", syscall.ENETUNREACH}, // BehaveUnreachable on the whole address
		{"[2001:db8::2]:143", syscall.ENETUNREACH},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			_, err := sb.DialContext(testCtx(t), "tcp", tc.addr)
			var oe *net.OpError
			var se *os.SyscallError
			if !errors.As(err, &oe) || oe.Op != "dial" || !errors.As(err, &se) || se.Syscall != "connect" || !errors.Is(err, tc.errno) {
				t.Fatalf("err = %#v, want *net.OpError{dial} wrapping connect: %v", err, tc.errno)
			}
			if oe.Addr == nil || oe.Addr.String() != tc.addr {
				t.Errorf("OpError.Addr = %v, want %s", oe.Addr, tc.addr)
			}
			if tc.errno == syscall.ECONNREFUSED {
				var woe *net.OpError
				errors.As(want, &woe)
				var wse *os.SyscallError
				if !errors.As(want, &wse) || wse.Syscall != se.Syscall || wse.Err != se.Err || woe.Op != oe.Op {
					t.Errorf("sandbox %#v differs from net.Dialer %#v", err, want)
				}
			}
		})
	}
}

func TestDialBlackholeTimesOut(t *testing.T) {
	sb := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := sb.DialContext(ctx, "tcp", "127.0.0.4:25")
	// It waited for the deadline (a lower bound holds on any machine); that the deadline, not the
	// kernel's 127 s, ended it shows in the error, which matches context.DeadlineExceeded below.
	if elapsed := time.Since(begin); elapsed < 40*time.Millisecond {
		t.Errorf("blackhole returned after %v, before the 50ms deadline", elapsed)
	}
	var ne net.Error
	var oe *net.OpError
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) ||
		!errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &oe) || oe.Op != "dial" {
		t.Fatalf("err = %#v, want a dial timeout", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = sb.DialContext(ctx, "tcp", "127.0.0.4:25")
	if !errors.Is(err, context.Canceled) || !errors.As(err, &oe) {
		t.Fatalf("cancelled: err = %#v", err)
	}
}

// A black hole with GiveUpAfter fails on its own clock with the kernel's ETIMEDOUT, whatever the caller's
// deadline: the demo keeps its prober's ordinary budget and still shows a filtered port.
func TestDialBlackholeGivesUpOnItsOwnClock(t *testing.T) {
	const giveUp = 100 * time.Millisecond
	w := testWorld()
	w.Services = append(w.Services, Service{IP: faultsIP, Port: 4, Behavior: BehaveBlackhole, GiveUpAfter: giveUp})
	sb, err := Start(w)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	begin := time.Now()
	_, err = sb.DialContext(ctx, "tcp", faultsIP+":4")
	if elapsed := time.Since(begin); elapsed < giveUp {
		t.Errorf("gave up after %v, before its %v", elapsed, giveUp)
	}
	var ne net.Error
	if !errors.Is(err, syscall.ETIMEDOUT) || !errors.As(err, &ne) || !ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %#v, want the kernel's ETIMEDOUT, not the caller's deadline", err)
	}
}

func TestAcceptThenFault(t *testing.T) {
	sb := start(t)
	buf := make([]byte, 16)

	c := dial(t, sb, faultsIP+":1") // reset
	if _, err := c.Read(buf); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("reset: read err = %v, want ECONNRESET", err)
	}
	c = dial(t, sb, faultsIP+":2") // close
	if _, err := c.Read(buf); !errors.Is(err, io.EOF) {
		t.Errorf("close: read err = %v, want EOF", err)
	}
	c = dial(t, sb, faultsIP+":3") // silent
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("silent: read err = %v, want a timeout", err)
	}
}

// TestCloseEndsEverything leaves connections open on every kind of server and checks that Close ends all
// the sandbox's goroutines before it returns.
func TestCloseEndsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	sb, err := Start(testWorld())
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	var conns []net.Conn
	for _, addr := range []string{"127.0.0.2:993", "127.0.0.2:143", "127.0.0.3:995", "127.0.0.4:587",
		"127.0.0.6:25", faultsIP + ":110", faultsIP + ":3", faultsIP + ":25"} {
		c, err := sb.DialContext(ctx, "tcp", addr)
		if err != nil {
			t.Fatalf("dial %s: %v", addr, err)
		}
		conns = append(conns, c)
	}
	// Wait for the plain-text greetings, so the servers are mid-session.
	for _, c := range conns[1:2] {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != nil {
			t.Fatalf("greeting: %v", err)
		}
	}
	blackholed := make(chan error, 1)
	go func() {
		_, err := sb.DialContext(context.Background(), "tcp", "127.0.0.4:25")
		blackholed <- err
	}()
	if err := sb.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-blackholed; err == nil {
		t.Errorf("blackholed dial succeeded")
	}
	for _, c := range conns {
		c.Close()
	}
	if _, err := os.Stat(sb.CAFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CAFile still there after Close: %v", err)
	}
	if _, err := sb.DialContext(ctx, "tcp", "127.0.0.2:993"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial after Close: %v", err)
	}
	if err := sb.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before Start, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
