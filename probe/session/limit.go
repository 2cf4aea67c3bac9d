package session

import (
	"fmt"
	"net"
	"sync/atomic"
)

// MaxConnBytes bounds what mailcheck reads from one connection, TLS records included, whoever reads it:
// the session's own line reader or a protocol library during a login or send. Real greetings, capability
// lists, certificate chains and login answers stay far below it; a server that sends a 2 GB literal or
// endless EHLO lines is cut off here instead of filling memory.
const MaxConnBytes = 1 << 20

// ReadLimitError says that a server sent more than a connection may carry.
type ReadLimitError struct{ limit int64 }

func (e *ReadLimitError) Error() string {
	return fmt.Sprintf("the server sent more than %d bytes on one connection (mailcheck's limit); the rest was not read", e.limit)
}

// LimitedConn is a net.Conn that returns a *ReadLimitError once limit bytes have been read. It sits under
// TLS and under the protocol libraries, so their reads are bounded without changing them.
type LimitedConn struct {
	net.Conn
	limit int64
	read  atomic.Int64
	// hit is set once the limit was reached, so a library's own wrapping of the error cannot hide it.
	hit atomic.Bool
}

func NewLimitedConn(c net.Conn, limit int64) *LimitedConn {
	return &LimitedConn{Conn: c, limit: limit}
}

func (c *LimitedConn) Read(b []byte) (int, error) {
	left := c.limit - c.read.Load()
	if left <= 0 {
		c.hit.Store(true)
		return 0, &ReadLimitError{limit: c.limit}
	}
	if int64(len(b)) > left {
		b = b[:left]
	}
	n, err := c.Conn.Read(b)
	c.read.Add(int64(n))
	return n, err
}

// Exceeded returns the limit error when the limit was reached, else nil.
func (c *LimitedConn) Exceeded() error {
	if c != nil && c.hit.Load() {
		return &ReadLimitError{limit: c.limit}
	}
	return nil
}
