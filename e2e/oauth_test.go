//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// oauthEndpoint is the JSON of one endpoint with the OAuth2 fields the suite asserts on.
type oauthEndpoint struct {
	Protocol       string   `json:"protocol"`
	Host           string   `json:"host"`
	Port           int      `json:"port"`
	Security       string   `json:"security"`
	AuthMechanisms []string `json:"auth_mechanisms"`
	Auth           *struct {
		Tested     bool     `json:"tested"`
		OK         bool     `json:"ok"`
		Mechanism  string   `json:"mechanism"`
		Problem    *problem `json:"problem"`
		OAuthError *struct {
			Status string `json:"status"`
			Scope  string `json:"scope"`
		} `json:"oauth_error"`
	} `json:"auth"`
	Problems   []problem `json:"problems"`
	Transcript []string  `json:"transcript"`
}

// oauthToken mints an access token shaped like Exchange Online's (an unsigned JWT with aud, upn, scp and
// exp), so that mailcheck can read its claims; Dovecot knows nothing of them and asks the introspection
// endpoint, which answers what the test wrote for this token.
func oauthToken(t *testing.T, user, scope string, exp time.Time) string {
	t.Helper()
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	claims, err := json.Marshal(map[string]any{"aud": "https://outlook.office.com", "upn": user, "scp": scope, "exp": exp.Unix(), "nonce": hex.EncodeToString(nonce)})
	if err != nil {
		t.Fatal(err)
	}
	return "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + base64.RawURLEncoding.EncodeToString(claims) + "." + hex.EncodeToString(nonce[:12])
}

// writeTokens gives the introspection endpoint its answers (it reads the file on every request).
func writeTokens(t *testing.T, answers map[string]map[string]any) {
	t.Helper()
	b, err := json.Marshal(answers)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(w.work, "oauth", "tokens.json")
	tmp := path + ".new"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// noToken fails when any output holds the token or a base64 form of it.
func noToken(t *testing.T, r run, user, token string) {
	t.Helper()
	out := string(r.stdout) + string(r.stderr)
	forms := []string{token, base64.StdEncoding.EncodeToString([]byte(token)),
		base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")),
		base64.StdEncoding.EncodeToString([]byte("n,a=" + user + ",\x01auth=Bearer " + token + "\x01\x01"))}
	for shift := 0; shift < 3; shift++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), token...))
		forms = append(forms, enc[4:len(enc)-4])
	}
	for _, f := range forms {
		if strings.Contains(out, f) {
			t.Errorf("the output of mailcheck %s shows the token (as %q)", strings.Join(r.args, " "), f)
		}
	}
}

// TestOAuth logs in to the real Dovecot (IMAP, POP3) and Postfix (submission through Dovecot SASL) of
// mail.oauth.test with XOAUTH2 and OAUTHBEARER: valid, expired, wrong-scope and another user's tokens.
func TestOAuth(t *testing.T) {
	host := os.Getenv("E2E_HOST_OAUTH")
	user := os.Getenv("E2E_MAIL_USER_LOCAL") + "@" + os.Getenv("E2E_DOMAIN_OAUTH")
	if host == "" || user == "@" {
		t.Fatal("E2E_HOST_OAUTH and E2E_DOMAIN_OAUTH are not set: run the suite with make e2e")
	}
	hour := time.Now().Add(time.Hour)
	const mailScopes = "IMAP.AccessAsUser.All POP.AccessAsUser.All SMTP.Send"
	bob := "bob@" + os.Getenv("E2E_DOMAIN_OAUTH")
	valid := oauthToken(t, user, mailScopes, hour)
	expired := oauthToken(t, user, mailScopes, time.Now().Add(-time.Hour))
	wrongScope := oauthToken(t, user, "Mail.Read openid", hour)
	bobs := oauthToken(t, bob, mailScopes, hour)
	writeTokens(t, map[string]map[string]any{
		valid:      {"active": true, "username": user, "scope": mailScopes},
		expired:    {"active": false},
		wrongScope: {"active": true, "username": user, "scope": "Mail.Read openid"},
		bobs:       {"active": true, "username": bob, "scope": mailScopes},
	})
	endpoints := []string{"imaps://" + host, "imap://" + host, "pop3s://" + host, "pop3://" + host,
		"submissions://" + host, "submission://" + host}

	probeOAuth := func(t *testing.T, token string, args ...string) ([]oauthEndpoint, run) {
		t.Helper()
		r := mailcheck(t, runOpts{env: []string{"MAILCHECK_OAUTH_TOKEN=" + token}},
			append(append([]string{"probe"}, endpoints...), append(args, "--user", user, "--json", "-v")...)...)
		var rep struct {
			Endpoints []oauthEndpoint `json:"endpoints"`
		}
		if err := json.Unmarshal(r.stdout, &rep); err != nil {
			t.Fatalf("not a report: %v\n%s", err, r)
		}
		if len(rep.Endpoints) != len(endpoints) {
			t.Fatalf("%d endpoints, want %d\n%s", len(rep.Endpoints), len(endpoints), r)
		}
		noToken(t, r, user, token)
		// The human report too (its own run), and a transcript of every exchange.
		text := mailcheck(t, runOpts{env: []string{"MAILCHECK_OAUTH_TOKEN=" + token}},
			append(append([]string{"probe"}, endpoints...), append(args, "--user", user, "-v")...)...)
		noToken(t, text, user, token)
		return rep.Endpoints, r
	}

	for _, mech := range []string{"xoauth2", "oauthbearer"} {
		t.Run("valid token "+mech, func(t *testing.T) {
			t.Parallel()
			eps, r := probeOAuth(t, valid, "--oauth-mechanism", mech)
			if r.exit != 0 {
				t.Errorf("exit %d, want 0\n%s", r.exit, r)
			}
			for _, e := range eps {
				if e.Auth == nil || !e.Auth.OK || !strings.EqualFold(e.Auth.Mechanism, mech) {
					t.Errorf("%s %s:%d: auth %+v, want %s accepted\n%s", e.Protocol, e.Host, e.Port, e.Auth, mech, strings.Join(e.Transcript, "\n"))
				}
				if !slices.Contains(e.AuthMechanisms, "XOAUTH2") || !slices.Contains(e.AuthMechanisms, "OAUTHBEARER") {
					t.Errorf("%s %s:%d offers %v, want XOAUTH2 and OAUTHBEARER", e.Protocol, e.Host, e.Port, e.AuthMechanisms)
				}
			}
		})
	}

	refusals := []struct {
		name, token, want string
	}{
		{"expired token", expired, "oauth_token_expired"},
		{"wrong scope", wrongScope, "oauth_scope_missing"},
		{"another user's token", bobs, "oauth_wrong_account"},
	}
	for _, rf := range refusals {
		for _, mech := range []string{"xoauth2", "oauthbearer"} {
			t.Run(rf.name+" "+mech, func(t *testing.T) {
				t.Parallel()
				eps, r := probeOAuth(t, rf.token, "--oauth-mechanism", mech)
				if r.exit != 1 {
					t.Errorf("exit %d, want 1\n%s", r.exit, r)
				}
				tested := 0
				for _, e := range eps {
					if e.Auth == nil || e.Auth.Problem == nil || e.Auth.Problem.Code != rf.want || e.Auth.OK {
						t.Errorf("%s %s:%d: auth %+v, want %s\n%s", e.Protocol, e.Host, e.Port, e.Auth, rf.want, strings.Join(e.Transcript, "\n"))
						continue
					}
					if e.Auth.Tested {
						tested++
						if e.Auth.OAuthError == nil || e.Auth.OAuthError.Status == "" {
							t.Errorf("%s %s:%d: no decoded error challenge (auth %+v)", e.Protocol, e.Host, e.Port, e.Auth)
						}
					}
				}
				if tested == 0 {
					t.Errorf("no endpoint was tested")
				}
			})
		}
	}
}
