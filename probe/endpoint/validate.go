package endpoint

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The one validator for what mailcheck sends on a server's behalf: every login name, address and target,
// whether the user typed it, a list or config file holds it, or a discovery source (an autoconfig file,
// an Autodiscover answer) supplied it. A user name goes into a protocol line verbatim ("USER alice" in
// POP3, RFC 1939 section 7), so a CR LF in it would end that command and start another; a control
// character in a target would reach DNS, the terminal and the exporter's labels.

// Limits on what the validator accepts.
const (
	// MaxLocalPart is the longest local part (before the @) RFC 5321 section 4.5.3.1.1 allows, in octets.
	MaxLocalPart = 64
	// MaxUser is the longest login name accepted, in octets: RFC 5321 section 4.5.3.1.3 bounds a whole
	// path at 256 octets, and a login name is at most an address or a short account name in practice.
	MaxUser = 256
	// MaxHost is the longest host name (RFC 1035 section 2.3.4: 255 octets on the wire, 253 as text);
	// MaxLabel the longest label in it.
	MaxHost  = 253
	MaxLabel = 63
)

// InputError says why a user name, address or target was refused. It never repeats the whole value: a
// value with control characters or thousands of bytes is shown clipped and escaped.
type InputError struct {
	// What is "user name", "address" or "target".
	What string
	// Value is the refused text, clipped and escaped for a one-line message.
	Value string
	// Why is the reason, for users.
	Why string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("%s %s is refused: %s", e.What, e.Value, e.Why)
}

// ControlChar finds the first control character in s: C0 (CR and LF among them), DEL or C1 (U+0080 to
// U+009F), or a byte that is not UTF-8. ok is false when there is none.
func ControlChar(s string) (r rune, at int, ok bool) {
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			return rune(s[i]), i, true
		case c < 0x20, c == 0x7f, c >= 0x80 && c <= 0x9f:
			return c, i, true
		}
		i += size
	}
	return 0, 0, false
}

// controlWhy describes a control character for an error message.
func controlWhy(r rune, at int) string {
	switch r {
	case '\r', '\n':
		return fmt.Sprintf("it contains a line break (%q at byte %d), which would end the command it is sent in", r, at)
	}
	if r >= 0x80 {
		return fmt.Sprintf("it contains a C1 control character or a byte that is not UTF-8 (0x%02X) at byte %d", r, at)
	}
	return fmt.Sprintf("it contains the control character U+%04X at byte %d", r, at)
}

// Shown is s as an error message may show it: quoted with its control characters escaped, and clipped to
// 64 bytes.
func Shown(s string) string {
	if len(s) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// ValidUser checks a login name before it is sent to a server: not empty, at most MaxUser octets, no
// control characters. A login name need not be an address (an account name, DOMAIN\user), so nothing
// more is asked of it; an address is checked by ValidAddress.
func ValidUser(s string) error {
	bad := func(why string) error { return &InputError{What: "user name", Value: Shown(s), Why: why} }
	if r, at, ok := ControlChar(s); ok {
		return bad(controlWhy(r, at))
	}
	switch {
	case strings.TrimSpace(s) == "":
		return bad("it is empty")
	case len(s) > MaxUser:
		return bad(fmt.Sprintf("it is %d octets long; at most %d are accepted", len(s), MaxUser))
	}
	return nil
}

// ValidAddress checks a bare e-mail address (local@domain): no control characters, a local part of 1 to
// MaxLocalPart octets (RFC 5321 section 4.5.3.1.1), and a domain that is a valid host name (at most
// MaxHost octets, labels of at most MaxLabel, ValidateHost). It says nothing of the local part's syntax
// beyond that; callers that need RFC 5322 syntax check it too.
func ValidAddress(s string) error {
	bad := func(why string) error { return &InputError{What: "address", Value: Shown(s), Why: why} }
	if r, at, ok := ControlChar(s); ok {
		return bad(controlWhy(r, at))
	}
	i := strings.LastIndexByte(s, '@')
	if i < 0 {
		return bad("it has no @domain")
	}
	local, dom := s[:i], s[i+1:]
	switch {
	case local == "":
		return bad("it has nothing before the @")
	case len(local) > MaxLocalPart:
		return bad(fmt.Sprintf("the part before @ is %d octets long; RFC 5321 section 4.5.3.1.1 allows %d", len(local), MaxLocalPart))
	case dom == "":
		return bad("it has no domain after the @")
	}
	ascii, err := toASCII(dom)
	if err == nil {
		err = ValidateHost(ascii)
	}
	if err != nil {
		return bad(err.Error())
	}
	return nil
}

// ValidTarget checks a target as typed or read from a list, before it is parsed: no control characters
// and at most a few kilobytes (the longest address is 64 + 1 + 253 octets; a URL adds a scheme and a
// port). ParseTarget and ParseEndpoint then check its parts.
func ValidTarget(s string) error {
	bad := func(why string) error { return &InputError{What: "target", Value: Shown(s), Why: why} }
	if r, at, ok := ControlChar(s); ok {
		return bad(controlWhy(r, at))
	}
	if len(s) > maxTarget {
		return bad(fmt.Sprintf("it is %d octets long; at most %d are accepted", len(s), maxTarget))
	}
	return nil
}

// maxTarget bounds a target's text: an endpoint URL with the longest host name and a port fits easily.
const maxTarget = 512
