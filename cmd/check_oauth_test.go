package cmd

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

// TestCheckOAuthLogin is the CI use: the login expectation with a token from the environment.
func TestCheckOAuthLogin(t *testing.T) {
	const good, expired = "ci-token-good-0123456789abcdef", "ci-token-expired-0123456789abcdef"
	w := checkWorld()
	w.Tokens = map[string]sandbox.Token{
		good:    {User: checkUser, Scopes: []string{"IMAP.AccessAsUser.All", "SMTP.Send"}},
		expired: {User: checkUser, Scopes: []string{"IMAP.AccessAsUser.All", "SMTP.Send"}, Expired: true},
	}
	sb := sandboxtest.Start(t, w)
	secretForms := func(token string) []string {
		return []string{token, base64.StdEncoding.EncodeToString([]byte(token)),
			base64.StdEncoding.EncodeToString([]byte("n,a=" + checkUser + ",\x01auth=Bearer " + token + "\x01\x01"))}
	}

	code, out, errOut := runCheckIn(t, sb, checkIO{env: map[string]string{OAuthTokenEnv: good}},
		"check", "imaps://mail.k.test", "submission://mail.k.test", "--login", "--user", checkUser, "--auth-mechanisms", "XOAUTH2,OAUTHBEARER", "-v")
	if code != ExitOK || !strings.Contains(out, "accepted (OAUTHBEARER)") || !strings.Contains(out, "the OAuth2 login of "+checkUser) {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range secretForms(good) {
		if strings.Contains(out+errOut, f) {
			t.Errorf("output shows the token as %q", f)
		}
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "oauth.toml")
	if err := os.WriteFile(cfg, []byte("[[target]]\nendpoint = \"imaps://mail.k.test\"\nlogin = true\nuser = \""+checkUser+"\"\ntoken_env = \"CI_TOKEN\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCheckIn(t, sb, checkIO{env: map[string]string{"CI_TOKEN": expired}}, "check", "--config", cfg, "--json", "-v")
	if code != ExitProblems || !strings.Contains(out, `"oauth_token_expired"`) || !strings.Contains(out, "invalid_token") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range secretForms(expired) {
		if strings.Contains(out+errOut, f) {
			t.Errorf("output shows the token as %q", f)
		}
	}

	code, _, errOut = runCheckIn(t, sb, checkIO{}, "check", "--config", cfg)
	if code != ExitUsage || !strings.Contains(errOut, "the environment variable token_env names is not set") || strings.Contains(errOut, "CI_TOKEN") {
		t.Errorf("unset token_env: exit %d, %s", code, errOut)
	}
}
