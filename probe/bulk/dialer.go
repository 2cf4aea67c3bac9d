package bulk

import (
	"context"
	"net"
	"sync"

	"github.com/mailcheck/mailcheck/probe"
)

// LimitDialer bounds the connections open at once to one server address (IP, any port). A hosting
// provider's list names thousands of customer domains whose MX and IMAP records point to the same few
// servers; without this, --concurrency domains would all connect to them at once, which looks like an
// attack and trips connection limits (Dovecot mail_max_userip_connections, Postfix anvil), turning
// into false failures.
type LimitDialer struct {
	Next probe.Dialer
	// PerAddress is the most connections open at once per IP address; 0 means no limit.
	PerAddress int

	mu    sync.Mutex
	slots map[string]*addrSlots
}

type addrSlots struct {
	sem  chan struct{}
	refs int
}

// DialContext waits for a slot of the address (or ctx), then dials; the slot is freed when the
// connection is closed.
func (d *LimitDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.PerAddress <= 0 {
		return d.Next.DialContext(ctx, network, address)
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	s := d.acquire(host)
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		d.release(host, s, false)
		return nil, ctx.Err()
	}
	conn, err := d.Next.DialContext(ctx, network, address)
	if err != nil {
		d.release(host, s, true)
		return nil, err
	}
	return &limitedConn{Conn: conn, free: func() { d.release(host, s, true) }}, nil
}

func (d *LimitDialer) acquire(host string) *addrSlots {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.slots == nil {
		d.slots = map[string]*addrSlots{}
	}
	s := d.slots[host]
	if s == nil {
		s = &addrSlots{sem: make(chan struct{}, d.PerAddress)}
		d.slots[host] = s
	}
	s.refs++
	return s
}

// release gives back the slot (when one was taken) and forgets the address once nobody uses it, so the
// map stays as small as the connections in flight.
func (d *LimitDialer) release(host string, s *addrSlots, held bool) {
	if held {
		<-s.sem
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.refs--; s.refs == 0 {
		delete(d.slots, host)
	}
}

// InUse is the number of addresses with connections open or waiting (tests).
func (d *LimitDialer) InUse() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.slots)
}

type limitedConn struct {
	net.Conn
	once sync.Once
	free func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.free)
	return err
}
