package textwrap

import (
	"strings"
	"testing"
)

func TestWrapNeverInsideAWord(t *testing.T) {
	line := "  the certificate is not valid for alice@sandbox.test; it names hosting.example.net and nothing else at all"
	got := Wrap(line, 40, 4)
	for _, l := range got {
		if Width(l) > 40 {
			t.Errorf("line %q is %d wide", l, Width(l))
		}
	}
	joined := strings.Join(strings.Fields(strings.Join(got, " ")), " ")
	if joined != strings.Join(strings.Fields(line), " ") {
		t.Errorf("words changed:\n%q\n%q", joined, line)
	}
	for _, l := range got {
		if strings.Contains(l, "sandb") && !strings.Contains(l, "alice@sandbox.test") {
			t.Errorf("a word was split: %q", got)
		}
	}
	if !strings.HasPrefix(got[1], "    ") {
		t.Errorf("no hanging indent: %q", got)
	}
}

func TestWidths(t *testing.T) {
	for s, want := range map[string]int{
		"abc":                  3,
		"メール設定":                10, // east-asian wide
		"e\u0301":              1,  // a combining mark
		"👍":                    2,  // emoji
		"\x1b[1;31mred\x1b[0m": 3,  // colour does not count
	} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestWrapWideAndColouredText(t *testing.T) {
	line := "\x1b[31m✗\x1b[0m " + strings.Repeat("メール設定 ", 10)
	for _, l := range Wrap(line, 20, 2) {
		if Width(l) > 20 {
			t.Errorf("line %q is %d wide", l, Width(l))
		}
		if strings.Count(l, "\x1b[") != strings.Count(l, "m") && strings.Contains(l, "\x1b") && !strings.Contains(l, "m") {
			t.Errorf("an escape sequence was split: %q", l)
		}
	}
}

func TestALongWordStaysWhole(t *testing.T) {
	url := "https://autoconfig.sandbox.test/mail/config-v1.1.xml?emailaddress=alice%40sandbox.test"
	got := Wrap("  see "+url+" for it", 30, 4)
	found := false
	for _, l := range got {
		found = found || strings.Contains(l, url)
	}
	if !found {
		t.Errorf("the URL was cut: %q", got)
	}
}

func TestHangingIndent(t *testing.T) {
	for line, want := range map[string]int{
		"  ✗ Certificate expired [cert_expired]":     4,
		"      • the certificate for x expired":      8,
		"    What to do:    Check the device's date": 19,
		"  Incoming mail  IMAP  imap.example.com":    17,
		"  plain text":                        4,
		"\x1b[1m  Incoming mail  \x1b[0mIMAP": 17,
	} {
		if got := HangingIndent(line); got != want {
			t.Errorf("HangingIndent(%q) = %d, want %d", line, got, want)
		}
	}
}
