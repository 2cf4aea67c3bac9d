package explain

import (
	"encoding/base64"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

func TestOAuthChallengesExplained(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := map[string]string{
		"334 " + b64(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`):  catalog.OAuthTokenExpired,
		"+ " + b64(`{"status":"invalid_token","schemes":"bearer","scope":"mail"}`):              catalog.OAuthTokenExpired,
		"a1 NO " + b64(`{"status":"insufficient_scope","schemes":"bearer"}`):                    catalog.OAuthScope,
		`{"status": "invalid_token", "schemes": "bearer"}`:                                      catalog.OAuthTokenExpired,
		"AADSTS65001: The user or administrator has not consented to use the application":       catalog.OAuthConsent,
		"AADSTS7000218: The request body must contain the following parameter: 'client_secret'": catalog.OAuthConsent,
		"A1 NO AUTHENTICATE failed. User is authenticated but not connected.":                   catalog.OAuthProtocolDisabled,
	}
	for in, want := range tests {
		if e := Explain(in); e.Problem != want {
			t.Errorf("Explain(%q) = %q, want %s", in, e.Problem, want)
		}
	}
	if got := decodedChallenges(b64(`{"no":"status"}`) + " " + b64("plain words, not json at all")); got != "" {
		t.Errorf("decoded %q from text without a challenge", got)
	}
}
