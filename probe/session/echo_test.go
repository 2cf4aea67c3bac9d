package session

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// echoForms are the ways a server can echo a secret that the redactor must catch, by name.
func echoForms(user, secret string) map[string]string {
	spaced := strings.Join(strings.Split(secret, ""), " ")
	var pct, pctLower, qp, xesc strings.Builder
	for _, c := range []byte(secret) {
		fmt.Fprintf(&pct, "%%%02X", c)
		fmt.Fprintf(&pctLower, "%%%02x", c)
		fmt.Fprintf(&qp, "=%02X", c)
		fmt.Fprintf(&xesc, `\x%02x`, c)
	}
	b64 := func(enc *base64.Encoding, s string) string { return enc.EncodeToString([]byte(s)) }
	plain := "\x00" + user + "\x00" + secret
	return map[string]string{
		"exact":                     secret,
		"upper":                     strings.ToUpper(secret),
		"lower":                     strings.ToLower(secret),
		"spaced":                    spaced,
		"spaced upper":              strings.ToUpper(spaced),
		"hex lower":                 hex.EncodeToString([]byte(secret)),
		"hex upper":                 strings.ToUpper(hex.EncodeToString([]byte(secret))),
		"hex spaced":                strings.Join(strings.SplitAfterN(hex.EncodeToString([]byte(secret)), "", -1), ""),
		`hex \x`:                    xesc.String(),
		"percent (every byte)":      pct.String(),
		"percent lower":             pctLower.String(),
		"percent (url.QueryEscape)": url.QueryEscape(secret),
		"quoted-printable":          qp.String(),
		"base64":                    b64(base64.StdEncoding, secret),
		"base64 offset 1":           b64(base64.StdEncoding, "x"+secret+"y"),
		"base64 offset 2":           b64(base64.StdEncoding, "xy"+secret),
		"base64 SASL PLAIN":         b64(base64.StdEncoding, plain),
		"base64 PLAIN shifted":      b64(base64.StdEncoding, plain[1:]),
		"base64 PLAIN re-encoded":   b64(base64.StdEncoding, "user="+user+" pass="+secret),
		"base64 url-safe raw":       b64(base64.RawURLEncoding, "?>"+secret+"?>"),
		"base64 glued to a word":    "ERR" + b64(base64.StdEncoding, "\x00\x00"+secret),
		"base64 of upper":           b64(base64.StdEncoding, "1"+strings.ToUpper(secret)),
		"hex of SASL PLAIN":         hex.EncodeToString([]byte(plain)),
		"percent of base64":         url.QueryEscape(b64(base64.StdEncoding, plain)),
	}
}

// TestScrubEveryEcho: a server line that echoes the password or the token in any of these forms reaches
// no transcript, summary or JSON; the line is dropped whole (a cut base64 or hex form would leave
// pieces of the secret in the quanta it shares with the text around it).
func TestScrubEveryEcho(t *testing.T) {
	const user = "alice@example.test"
	for _, secret := range []string{"Hunter2-Secret", "s3cr3t pw!", "ya29.a0AfH6SMB-tok_en"} {
		for _, asToken := range []bool{false, true} {
			r := NewRedactor("")
			if asToken {
				r.AddToken(secret)
			} else {
				r = NewRedactor(secret)
				r.Add("\x00" + user + "\x00" + secret)
			}
			for name, form := range echoForms(user, secret) {
				for _, line := range []string{"-ERR [AUTH] you sent " + form + " which is wrong", "535 5.7.8 " + form, form} {
					got := r.Scrub(line)
					if strings.Contains(got, form) || strings.Contains(strings.ToLower(got), strings.ToLower(secret)) {
						t.Errorf("%s (token %v) %q: %q survives", name, asToken, secret, got)
					}
					if got2 := r.Server(line); got2 != got {
						t.Errorf("%s: Server %q, Scrub %q", name, got2, got)
					}
				}
			}
		}
	}
}

// Ordinary replies pass unchanged.
func TestScrubKeepsOrdinaryReplies(t *testing.T) {
	r := NewRedactor("Hunter2-Secret")
	r.AddToken("ya29.a0AfH6SMB-token")
	r.Add("\x00alice@example.test\x00Hunter2-Secret")
	for _, line := range []string{
		"-ERR [AUTH] Authentication failed.", "535 5.7.8 Authentication credentials invalid",
		"NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)", "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6",
		"250-SIZE 35882577", "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot ready.",
		"535-5.7.8 Username and Password not accepted. For more information, go to",
		"+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==",
		"-ERR [SYS/TEMP] 0123456789abcdef0123456789abcdef %20%41 =3D",
	} {
		if got := r.Scrub(line); got != line {
			t.Errorf("Scrub(%q) = %q", line, got)
		}
	}
}

// A secret too short to fold safely is still cut out where it appears as sent.
func TestScrubShortSecret(t *testing.T) {
	r := NewRedactor("ab1")
	if got := r.Scrub("-ERR ab1 is wrong"); strings.Contains(got, "ab1") {
		t.Errorf("got %q", got)
	}
	if got := r.Scrub("-ERR AB 1"); got != "-ERR AB 1" {
		t.Errorf("a 3-character secret folded: %q", got)
	}
}

// The OAuth2 error challenge's fields are scrubbed too.
func TestOAuthChallengeScrubbed(t *testing.T) {
	red := NewRedactor("")
	red.AddToken("ya29.token-secret")
	c := newOAuthClient(Login{User: "alice@a.test", Token: "ya29.token-secret", Mechanism: MechXOAUTH2}, red)
	_, _ = c.Next([]byte(`{"status":"401","schemes":"bearer","scope":"YA29.TOKEN-SECRET"}`))
	if c.challenge == nil || strings.Contains(strings.ToLower(c.challenge.Scope), "token-secret") {
		t.Errorf("challenge %+v", c.challenge)
	}
}

// FuzzRedactorEchoes: whatever the secret (a password or a token) and the text around it, a server line
// that echoes it in any of the encodings above keeps neither that encoding nor the secret itself.
func FuzzRedactorEchoes(f *testing.F) {
	f.Add("Hunter2-Secret", "alice@example.test", "-ERR you sent ", " - wrong", false)
	f.Add("ya29.a0AfH6SMB", "bob", "535 ", "", true)
	f.Add("p a s s", "u", "x", "y", false)
	f.Fuzz(func(t *testing.T, secret, user, prefix, suffix string, asToken bool) {
		if len(fold(secret)) < minKey || strings.Contains(Redacted, secret) || len(secret) > 200 || len(prefix)+len(suffix) > 400 {
			return // short folded secrets are only cut out exactly (TestScrubShortSecret)
		}
		if strings.HasSuffix(prefix, "%") || strings.HasSuffix(prefix, "=") || strings.HasSuffix(prefix, `\`) {
			return // an escape character glued before the echo changes how it reads (%0 + 00%21): no echo then
		}
		for _, c := range []byte(secret) {
			if c >= 0x80 {
				return // case folding of non-ASCII is not symmetrical (ſ, K): ASCII secrets only
			}
		}
		r := NewRedactor("")
		if asToken {
			r.AddToken(secret)
		} else {
			r = NewRedactor(secret)
			r.Add("\x00" + user + "\x00" + secret)
		}
		for name, form := range echoForms(user, secret) {
			line := prefix + form + suffix
			got := r.Scrub(line)
			if strings.Contains(got, form) || strings.Contains(got, secret) {
				t.Fatalf("%s: %q survives in %q", name, form, got)
			}
		}
	})
}
