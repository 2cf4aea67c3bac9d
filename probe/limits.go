package probe

import (
	"fmt"
	"net"
	"sync/atomic"
)

// maxConnBytes bounds what mailcheck reads from one connection, TLS records included, whoever reads it:
// the session's own line reader or a protocol library during a login or send. Real greetings, capability
// lists, certificate chains and login answers stay far below it; a server that sends a 2 GB literal or
// endless EHLO lines is cut off here instead of filling memory.
const maxConnBytes = 1 << 20

// readLimitError says that a server sent more than a connection may carry.
type readLimitError struct{ limit int64 }

func (e *readLimitError) Error() string {
	return fmt.Sprintf("the server sent more than %d bytes on one connection (mailcheck's limit); the rest was not read", e.limit)
}

// limitedConn is a net.Conn that returns a *readLimitError once limit bytes have been read. It sits under
// TLS and under the protocol libraries, so their reads are bounded without changing them.
type limitedConn struct {
	net.Conn
	limit int64
	read  atomic.Int64
	// hit is set once the limit was reached, so a library's own wrapping of the error cannot hide it.
	hit atomic.Bool
}

func newLimitedConn(c net.Conn, limit int64) *limitedConn {
	return &limitedConn{Conn: c, limit: limit}
}

func (c *limitedConn) Read(b []byte) (int, error) {
	left := c.limit - c.read.Load()
	if left <= 0 {
		c.hit.Store(true)
		return 0, &readLimitError{limit: c.limit}
	}
	if int64(len(b)) > left {
		b = b[:left]
	}
	n, err := c.Conn.Read(b)
	c.read.Add(int64(n))
	return n, err
}

// exceeded returns the limit error when the limit was reached, else nil.
func (c *limitedConn) exceeded() error {
	if c != nil && c.hit.Load() {
		return &readLimitError{limit: c.limit}
	}
	return nil
}
