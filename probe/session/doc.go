// Package session is mailcheck's one connection state machine: every conversation with a mail server —
// the probe of an endpoint, a login on a connection of its own, send, the plaintext-login test — walks
// the same phases (Conversation: connect, implicit TLS, greeting, capabilities, STARTTLS, capabilities
// again) over the same line reader (Conn: bounded lines and bytes, deadlines, a redacting, size-capped
// Transcript), with one Dialogue per protocol (IMAP, POP3, SMTP) for the part that differs, and ends,
// when asked, with the login exchange (Conn.Login: IMAP LOGIN/AUTHENTICATE through go-imap, SMTP AUTH,
// POP3 USER/PASS and AUTH; PLAIN, LOGIN, XOAUTH2, OAUTHBEARER through go-sasl).
//
// It decides nothing about what the answers mean: the caller (package probe) sets the policy (strict
// handshakes when secrets follow, whether to upgrade, whether to ask a silent port for TLS) and turns
// what each phase learned, or how it failed (ProtocolError, ReplyError, GreetingError, PreauthError,
// PlainOnTLSError, the network's own errors), into findings. It imports only probe/endpoint.
package session
