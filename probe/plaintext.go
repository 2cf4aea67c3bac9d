package probe

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// A capability list is a claim, not behaviour: some servers list USER or AUTH before STARTTLS and then
// answer "TLS required" to it. When the list offers a password login on the unencrypted connection,
// plaintextTest asks the server to start one on a connection of its own, without any credential, and
// cancels at once:
//
//   - IMAP: "AUTHENTICATE PLAIN" without an initial response; a "+" continuation means the server would
//     take the password, and "*" cancels the exchange (RFC 3501 section 6.2.2). Without an AUTH=
//     mechanism only the LOGIN command is left, which cannot be tried without credentials: the claim stands.
//   - POP3: "AUTH PLAIN" and "*" when SASL is listed (RFC 5034 section 4), else "USER" with a name no
//     account has, never followed by PASS (RFC 1939 section 7).
//   - SMTP: EHLO, then "AUTH PLAIN" (or LOGIN) and "*" (RFC 4954 section 4).
//
// No password or user name of the account is sent, and no login is attempted, so the server records no
// failed login. It runs alongside the probe's own STARTTLS, so it costs no time.
type plaintextTest struct {
	done chan struct{}
	// refused is set when the server refused to start the login.
	refused bool
	tr      *session.Transcript
}

// plaintextProbeUser is the user name of the POP3 test: it names no account and is never followed by PASS.
const plaintextProbeUser = "mailcheck-plaintext-test"

// startPlaintextTest starts the test for a probe whose capabilities before TLS (caps) offer a password
// login; nil when there is nothing the test could tell.
func (p *Prober) startPlaintextTest(ctx context.Context, res *Result, caps []string) *plaintextTest {
	dialogue, ok := session.Dialogues[res.Protocol]
	if !ok {
		return nil // an unknown protocol has no login to test (runPlaintextTest refuses it too)
	}
	mechs := dialogue.AuthMechanisms(caps)
	mech := ""
	switch {
	case session.HasCap(mechs, "PLAIN"):
		mech = "PLAIN"
	case session.HasCap(mechs, "LOGIN") && res.Protocol != POP3:
		mech = "LOGIN"
	case res.Protocol == POP3 && session.HasCap(mechs, "USER"):
		mech = "USER"
	default:
		return nil
	}
	t := &plaintextTest{done: make(chan struct{})}
	if p.cfg.Transcript {
		t.tr = session.NewTranscript(nil)
	}
	ep, addr := res.Endpoint, res.Address
	go func() {
		defer close(t.done)
		refused, err := p.runPlaintextTest(ctx, ep, addr, mech, t.tr)
		if err != nil {
			t.tr.Note(err.Error())
		}
		t.refused = refused
	}()
	return t
}

// runPlaintextTest asks the server to start a login on a plain connection; an error says the test could not
// run (an unknown protocol), and is no verdict either way.
func (p *Prober) runPlaintextTest(ctx context.Context, ep Endpoint, addr, mech string, tr *session.Transcript) (refused bool, err error) {
	if _, ok := TraitsOf(ep.Protocol); !ok {
		return false, fmt.Errorf("no plain-text login test for %w %q", ErrUnknownProtocol, ep.Protocol)
	}
	tr.Note("checking on a second connection whether the server lets a login start before TLS (no credentials sent)")
	plain := ep
	plain.Security = Plain
	c := p.conversation(ctx, plain, addr, tr)
	c.Upgrade = false
	defer c.Close()
	target := session.PhaseGreeted
	if ep.Protocol == SMTP {
		target = session.PhaseCapable // EHLO comes before AUTH (RFC 4954 section 4)
	}
	if err := c.WalkTo(target); err != nil || ep.Protocol == SMTP && c.Caps == nil {
		return false, nil // no verdict: the claim stands (an SMTP server without EHLO extensions has no AUTH to test)
	}
	s := c.Conn
	switch ep.Protocol {
	case IMAP:
		if err := s.WriteLine("p1 AUTHENTICATE " + mech); err != nil {
			return false, nil
		}
		line, err := s.ReadLine()
		if err != nil {
			return false, nil
		}
		if strings.HasPrefix(line, "+") {
			_ = s.WriteLine("*")
			_, _ = s.ReadLine()
			_ = s.WriteLine("p2 LOGOUT")
			return false, nil
		}
		_ = s.WriteLine("p2 LOGOUT")
		return strings.HasPrefix(line, "p1 "), nil // a tagged NO or BAD: [PRIVACYREQUIRED] or alike
	case POP3:
		cmd := "AUTH " + mech
		if mech == "USER" {
			cmd = "USER " + plaintextProbeUser
		}
		if err := s.WriteLine(cmd); err != nil {
			return false, nil
		}
		line, err := s.ReadLine()
		if err != nil {
			return false, nil
		}
		if mech != "USER" && (strings.HasPrefix(line, "+ ") || line == "+") {
			_ = s.WriteLine("*")
			_, _ = s.ReadLine()
		}
		_ = s.WriteLine("QUIT")
		return strings.HasPrefix(line, "-ERR"), nil
	case SMTP:
		code, _, err := session.SMTPCommand(s, "AUTH "+mech)
		if err != nil {
			return false, nil
		}
		if code == 334 {
			_, _, _ = session.SMTPCommand(s, "*")
		}
		_ = s.WriteLine("QUIT")
		return code/100 == 5, nil // 530 "Must issue a STARTTLS command first", 538, 504...
	}
	return false, fmt.Errorf("no plain-text login test for %w %q", ErrUnknownProtocol, ep.Protocol)
}

// apply waits for the test and corrects the claim with what the server did; the test's transcript joins
// the probe's (tr).
func (t *plaintextTest) apply(res *Result, tr *session.Transcript) {
	if t == nil {
		return
	}
	<-t.done
	tr.Append(t.tr)
	if !t.refused {
		return
	}
	tr.Note("the capabilities offer a login before TLS, but the server refuses to start one: plaintext login refused")
	res.PlaintextLogin = "refused"
	var kept []Problem
	for _, pr := range res.Problems {
		if pr.Code != catalog.PlaintextAuth {
			kept = append(kept, pr)
		}
	}
	res.Problems = kept
}
