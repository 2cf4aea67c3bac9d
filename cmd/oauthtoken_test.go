package cmd

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOAuthTokenSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("tok-from-file\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), maxToken+10), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		flags     credentialFlags
		env       map[string]string
		wantToken string
		wantMech  string
		wantErr   string
	}{
		{"environment", credentialFlags{}, map[string]string{OAuthTokenEnv: "tok-env\n"}, "tok-env", "", ""},
		{"file beats environment", credentialFlags{oauthFlags: oauthFlags{OAuthTokenFile: file}}, map[string]string{OAuthTokenEnv: "tok-env"}, "tok-from-file", "", ""},
		{"command", credentialFlags{oauthFlags: oauthFlags{OAuthTokenCommand: "echo tok-cmd; echo more", OAuthMechanism: "xoauth2"}}, nil, "tok-cmd", "XOAUTH2", ""},
		{"command fails", credentialFlags{oauthFlags: oauthFlags{OAuthTokenCommand: "echo oops >&2; exit 3"}}, nil, "", "", "--oauth-token-command failed"},
		{"command prints nothing", credentialFlags{oauthFlags: oauthFlags{OAuthTokenCommand: "true"}}, nil, "", "", "first line is empty"},
		{"empty file", credentialFlags{oauthFlags: oauthFlags{OAuthTokenFile: empty}}, nil, "", "", "first line is empty"},
		{"huge file", credentialFlags{oauthFlags: oauthFlags{OAuthTokenFile: big}}, nil, "", "", "no access token"},
		{"missing file", credentialFlags{oauthFlags: oauthFlags{OAuthTokenFile: filepath.Join(dir, "nope")}}, nil, "", "", "--oauth-token-file"},
		{"file and command", credentialFlags{oauthFlags: oauthFlags{OAuthTokenFile: file, OAuthTokenCommand: "true"}}, nil, "", "", "not both"},
		{"token and password", credentialFlags{}, map[string]string{OAuthTokenEnv: "t", PasswordEnv: "p"}, "", "", "test one at a time"},
		{"token in clear text", credentialFlags{AllowPlaintextAuth: true}, map[string]string{OAuthTokenEnv: "t"}, "", "", "only over TLS"},
		{"bad mechanism", credentialFlags{oauthFlags: oauthFlags{OAuthMechanism: "plain"}}, map[string]string{OAuthTokenEnv: "t"}, "", "", "xoauth2 or oauthbearer"},
		{"mechanism without token", credentialFlags{oauthFlags: oauthFlags{OAuthMechanism: "oauthbearer"}}, nil, "", "", "needs a token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			ios := &IOStreams{ErrOut: &stderr, Getenv: func(k string) string { return c.env[k] }}
			cr, err := c.flags.credentials(ios, "alice@example.com")
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				var ee *ExitError
				if !errors.As(err, &ee) || ee.Code != ExitUsage {
					t.Errorf("error %v is no usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cr == nil || cr.Token != c.wantToken || cr.Password != "" || cr.User != "alice@example.com" || cr.OAuthMechanism != c.wantMech {
				t.Fatalf("credentials %+v", cr)
			}
			if strings.Contains(cr.String(), cr.Token) {
				t.Errorf("String() shows the token: %s", cr)
			}
		})
	}
}
