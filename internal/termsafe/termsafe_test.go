package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"220 mail.example.com ESMTP", "220 mail.example.com ESMTP"},
		{"Grüße aus Köln", "Grüße aus Köln"},
		{"\x1b]0;pwned\x07\x1b[2J\x1b[32mResult: WORKS\x1b[0m", `\x1b]0;pwned\x07\x1b[2J\x1b[32mResult: WORKS\x1b[0m`},
		{"a\x00b\x7fc", `a\x00b\x7fc`},
		{"line\r\nnext\tcol", `line\r\nnext\tcol`},
		{"\u009b31m", `\u009b31m`},
		{"abc\u202edcba\u2066x\u2069", `abc\u202edcba\u2066x\u2069`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"sep\u2028", `sep\u2028`},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzString: the output never carries a byte a terminal acts on, is valid UTF-8, and is a fixed point.
func FuzzString(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "ok", "\u202e", "\xff", "\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Fatalf("String(%q) = %q keeps %U", s, out, r)
			}
		}
		if String(out) != out {
			t.Fatalf("not idempotent on %q", s)
		}
		if isSafe(s) && out != s || !strings.ContainsAny(s, "\x1b") && strings.Contains(out, "\x1b") {
			t.Fatalf("changed safe text %q", s)
		}
	})
}
