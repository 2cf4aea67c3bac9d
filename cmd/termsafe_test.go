package cmd

import (
	"strings"
	"testing"
)

// TestControlCharactersInArgumentsAreEscaped: what the user typed is echoed in the error line escaped,
// so NUL bytes and escape sequences never reach the terminal raw.
func TestControlCharactersInArgumentsAreEscaped(t *testing.T) {
	for _, arg := range []string{"ali\x00ce@exa\x1b[2Jmple.com", "imaps://mail\x1b]0;x\x07.example.com", "\u202eexample.com\r\n"} {
		code, _, errOut := run(t, nil, "probe", arg)
		if code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", arg, code, ExitUsage)
		}
		body := strings.TrimSuffix(errOut, "\n")
		if strings.ContainsAny(body, "\x00\x1b\x07\r\n\u202e") {
			t.Errorf("%q: raw control characters in %q", arg, errOut)
		}
	}
}
