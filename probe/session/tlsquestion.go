package session

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// tlsQuestion tells "clear text sent to an SSL/TLS port" (plain_on_tls_port) from a stuck server. Both
// stay silent when a client connects without TLS: an implicit-TLS server waits for a ClientHello that
// never comes. So when a connection in clear text has had no greeting for a quarter of its step,
// a second connection asks the port for a TLS handshake, while the first goes on waiting: the answer
// counts only when the greeting has still not come when the step ends, so a server that greets late (but
// within the step) is never misjudged, and a silent port costs one --timeout, not two. The question's
// deadline is the greeting's, and it ends as soon as the greeting comes; a server that greets within a
// quarter of the step never sees it. The handshake is not verified (the certificate is judged when the
// user chooses SSL/TLS) and nothing is sent over it. It does not take one of the address's connection
// slots: it lives and dies with the probe that holds one.
type tlsQuestion struct {
	timer  *time.Timer
	end    context.CancelFunc
	done   chan struct{}
	speaks bool
	// settled says, once the greeting's step is over, whether the question was asked.
	settled func() bool
}

// askTLSWhenSlow sets the question up for a greeting awaited until deadline.
func (c *Conversation) askTLSWhenSlow(deadline time.Time) *tlsQuestion {
	ctx, end := context.WithDeadline(c.Ctx, deadline)
	q := &tlsQuestion{end: end, done: make(chan struct{})}
	after := TLSQuestionAfter(c.Timeout)
	q.timer = time.AfterFunc(after, func() {
		defer close(q.done)
		c.step(StepTLSCheck)
		q.speaks = c.speaksTLS(ctx, after)
	})
	q.settled = sync.OnceValue(func() bool { return !q.timer.Stop() })
	return q
}

// TLSQuestionAfter is how long into a greeting's step the question is asked: a quarter of it.
func TLSQuestionAfter(step time.Duration) time.Duration { return step / 4 }

// answer says whether the port answered the TLS handshake; called once the greeting's step is over, it
// waits for the question (which has the same deadline) to finish.
func (q *tlsQuestion) answer() bool {
	if !q.settled() {
		return false // never asked: the step ended before a quarter of it had passed (the run's deadline)
	}
	<-q.done
	return q.speaks
}

// cancel ends the question, if it was asked, and waits for it, so nothing of it outlives the step.
func (q *tlsQuestion) cancel() {
	q.end()
	if q.settled() {
		<-q.done
	}
}

// speaksTLS dials the port again and tries a TLS handshake there.
func (c *Conversation) speaksTLS(ctx context.Context, after time.Duration) bool {
	c.tr.Note(fmt.Sprintf("no greeting after %s: asking on a second connection whether %s answers a TLS handshake (the greeting is awaited until the step ends)",
		after, net.JoinHostPort(c.addr, strconv.Itoa(c.ep.Port))))
	conn, err := c.Dial(ctx, c.addr, c.ep.Port)
	if err != nil {
		c.tr.Note("second connection: " + err.Error())
		return false
	}
	defer conn.Close()
	tc := tls.Client(conn, &tls.Config{ServerName: c.ep.Host, InsecureSkipVerify: true}) // #nosec: a yes/no question, nothing is sent over it
	if dl, ok := ctx.Deadline(); ok {
		_ = tc.SetDeadline(dl)
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		c.tr.Note("second connection: no TLS handshake either: " + err.Error())
		return false
	}
	c.tr.Note("second connection: the port answered the TLS handshake (" + tls.VersionName(tc.ConnectionState().Version) + ")")
	return true
}
