package session

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestRedactorHidesEveryFormOfThePassword(t *testing.T) {
	const user, pass = "alice@example.test", `s3cr"et\pw`
	r := NewRedactor(pass)
	plain := "\x00" + user + "\x00" + pass
	r.Add(plain)
	b64 := base64.StdEncoding.EncodeToString([]byte(plain))
	lines := []struct{ dir, line string }{
		{"c", "a1 LOGIN alice@example.test \"s3cr\\\"et\\\\pw\""},
		{"c", "a2 AUTHENTICATE PLAIN " + b64},
		{"c", "AUTH PLAIN " + b64},
		{"c", "AUTH LOGIN"},
		{"s", "334 VXNlcm5hbWU6"},
		{"c", base64.StdEncoding.EncodeToString([]byte(user))},
		{"s", "334 UGFzc3dvcmQ6"},
		{"c", base64.StdEncoding.EncodeToString([]byte(pass))},
		{"c", "PASS " + pass},
		{"s", "-ERR echo " + pass},
		{"s", "+ "},
		{"c", b64},
	}
	for _, l := range lines {
		var got string
		if l.dir == "c" {
			got = r.Client(l.line)
		} else {
			got = r.Server(l.line)
		}
		for _, secret := range []string{pass, b64, base64.StdEncoding.EncodeToString([]byte(pass)), `s3cr\"et\\pw`} {
			if strings.Contains(got, secret) {
				t.Errorf("%q redacted to %q still contains %q", l.line, got, secret)
			}
		}
	}
	if got := r.Client("a1 CAPABILITY"); got != "a1 CAPABILITY" {
		t.Errorf("an innocent line was changed: %q", got)
	}
}
