// Package termsafe makes untrusted text safe to print on a terminal. Server greetings, replies,
// certificate names, DNS answers and what the user typed can carry escape sequences that set the window
// title, clear the screen or paint a fake verdict; bidi controls can reorder what a reader sees. Every
// such string in human output goes through String. JSON output keeps the text unchanged (encoding/json
// escapes control characters itself).
package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s with everything a terminal could act on shown as a visible escape: C0 controls and
// DEL (\x1b, \x00, \n, …), C1 controls (\u009b), Unicode format characters, which include the bidi
// controls (\u202e, \u2066, …), the line and paragraph separators, and bytes that are not UTF-8 (\xff).
// Printable text, including non-ASCII letters, passes unchanged, and String is idempotent: its output is
// its own result.
func String(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports the non-ASCII runes String escapes.
func unsafeRune(r rune) bool {
	return r >= 0x80 && r <= 0x9f || // C1 controls: 0x9b is a one-byte CSI on some terminals
		r == '\u2028' || r == '\u2029' ||
		unicode.Is(unicode.Cf, r) // format characters: bidi embeddings, overrides and isolates, zero-width
}

func isSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false // the slow path decides non-ASCII
		}
	}
	return true
}
