package endpoint

import (
	"errors"
	"strings"
	"testing"
)

func TestValidUser(t *testing.T) {
	for _, good := range []string{"alice", "alice@example.com", `CORP\alice`, "jörg@example.de", strings.Repeat("a", MaxUser)} {
		if err := ValidUser(good); err != nil {
			t.Errorf("ValidUser(%q): %v", good, err)
		}
	}
	for _, bad := range []struct{ in, want string }{
		{"", "empty"}, {"  ", "empty"},
		{"alice\r\nSTAT", "line break"}, {"alice\n", "line break"}, {"al\rice", "line break"},
		{"a\x00b", "U+0000"}, {"a\x1bb", "U+001B"}, {"a\x7fb", "U+007F"}, {"a\u009bb", "C1"}, {"a\xffb", "not UTF-8"},
		{strings.Repeat("a", MaxUser+1), "octets long"},
	} {
		err := ValidUser(bad.in)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ValidUser(%q) = %v, want %q", bad.in, err, bad.want)
			continue
		}
		if strings.ContainsAny(err.Error(), "\r\n\x00\x1b\x7f") || len(err.Error()) > 300 {
			t.Errorf("ValidUser(%q): the message is not one safe line: %q", bad.in, err)
		}
	}
}

func TestValidAddress(t *testing.T) {
	for _, good := range []string{"alice@example.com", strings.Repeat("a", MaxLocalPart) + "@example.com", "a@münchen.de"} {
		if err := ValidAddress(good); err != nil {
			t.Errorf("ValidAddress(%q): %v", good, err)
		}
	}
	for _, bad := range []struct{ in, want string }{
		{"alice", "no @domain"}, {"@example.com", "nothing before"}, {"alice@", "no domain"},
		{strings.Repeat("a", MaxLocalPart+1) + "@example.com", "RFC 5321 section 4.5.3.1.1"},
		{strings.Repeat("a", 20000) + "@example.com", "20000 octets"},
		{"al\r\nice@example.com", "line break"},
		{"alice@" + strings.Repeat("a", MaxLabel+1) + ".com", "longer than 63"},
		{"alice@" + strings.Repeat("abcdefghi.", 26) + "com", "longer than 253"},
	} {
		if err := ValidAddress(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ValidAddress(%.40q) = %v, want %q", bad.in, err, bad.want)
		}
	}
}

// Targets from any source (arguments, --from-file lines, config files, the exporter's ?target=) are
// checked by ParseTarget and ParseEndpoint.
func TestTargetsRefuseControlsAndLongLocalParts(t *testing.T) {
	for _, bad := range []string{
		"alice\x00@example.com", "alice@exa\x1bmple.com", "exa\u0085mple.com", "alice\r\n@example.com",
		strings.Repeat("a", 65) + "@example.com", strings.Repeat("a", 20000) + "@example.com",
	} {
		if _, _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%.40q) accepted", bad)
		} else if strings.ContainsAny(err.Error(), "\r\n\x00\x1b") || len(err.Error()) > 400 {
			t.Errorf("ParseTarget(%.40q): the message is not one safe line: %q", bad, err)
		}
	}
	for _, bad := range []string{"imaps://mail.example.com\x00", "imaps://mail.exa\u0085mple.com", "imaps://" + strings.Repeat("a.", 300) + "com"} {
		if _, err := ParseEndpoint(bad); err == nil {
			t.Errorf("ParseEndpoint(%.40q) accepted", bad)
		}
	}
}

func FuzzValidUser(f *testing.F) {
	for _, s := range []string{"alice", "alice\r\nSTAT", "a\u009b", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidUser(s) == nil && (strings.ContainsAny(s, "\r\n\x00") || len(s) > MaxUser) {
			t.Errorf("ValidUser accepted %q", s)
		}
	})
}
