package probe

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/session"
)

var allMailScopes = []string{"IMAP.AccessAsUser.All", "POP.AccessAsUser.All", "SMTP.Send"}

// mintJWT makes an unsigned JWT-shaped access token with the claims Microsoft's tokens carry. It is long
// (over 255 octets once encoded), so POP3 sends it after a continuation.
func mintJWT(t *testing.T, user string, scopes []string, exp time.Time) string {
	t.Helper()
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	claims, err := json.Marshal(map[string]any{"aud": "https://outlook.office.com", "upn": user,
		"scp": strings.Join(scopes, " "), "exp": exp.Unix(), "nonce": randomHex(t, 64)})
	if err != nil {
		t.Fatal(err)
	}
	return head + "." + base64.RawURLEncoding.EncodeToString(claims) + "." + randomHex(t, 32)
}

// mintOpaque makes a short opaque token, as Google issues ("ya29...").
func mintOpaque(t *testing.T) string { return "ya29." + randomHex(t, 24) }

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func oauthWorld(tokens map[string]sandbox.Token) sandbox.World {
	w := authWorld()
	w.Tokens = tokens
	return w
}

// assertNoToken fails when the report holds the token in any form it took on the wire.
func assertNoToken(t *testing.T, rep *Report, user, token string) {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	forms := []string{token,
		base64.StdEncoding.EncodeToString([]byte(token)),
		base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")),
		base64.StdEncoding.EncodeToString([]byte("n,a=" + user + ",\x01auth=Bearer " + token + "\x01\x01")),
	}
	// The token's middle in each base64 alignment, whatever precedes it.
	for shift := 0; shift < 3; shift++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), token...))
		forms = append(forms, enc[4:len(enc)-4])
	}
	for _, f := range forms {
		if strings.Contains(js, f) {
			t.Errorf("report contains the token in the form %q", f)
		}
	}
	if !strings.Contains(js, "[redacted]") {
		t.Errorf("the transcript shows a token login but nothing was redacted")
	}
}

func TestOAuthLoginBothMechanisms(t *testing.T) {
	for _, mech := range []string{MechXOAUTH2, MechOAUTHBEARER} {
		for _, kind := range []string{"jwt", "opaque"} {
			t.Run(mech+"/"+kind, func(t *testing.T) {
				token := mintOpaque(t)
				if kind == "jwt" {
					token = mintJWT(t, alice, allMailScopes, time.Now().Add(time.Hour))
				}
				_, p := world(t, oauthWorld(map[string]sandbox.Token{token: {User: alice, Scopes: allMailScopes}}),
					&Credentials{User: alice, Token: token, OAuthMechanism: mech})
				rep := p.Run(context.Background(), Request{Endpoints: secureEndpoints})
				for _, e := range rep.Endpoints {
					if e.Auth == nil || !e.Auth.OK || e.Auth.Mechanism != mech {
						t.Errorf("%s: auth %+v, problems %v\n%s", e.Endpoint, e.Auth, problemCodes(e), strings.Join(e.Transcript, "\n"))
					}
					if !session.HasCap(e.AuthMechanisms, MechXOAUTH2) || !session.HasCap(e.AuthMechanisms, MechOAUTHBEARER) {
						t.Errorf("%s: offered mechanisms %v lack the OAuth2 ones", e.Endpoint, e.AuthMechanisms)
					}
				}
				assertNoToken(t, rep, alice, token)
			})
		}
	}
}

func TestOAuthDefaultMechanismIsOAUTHBEARER(t *testing.T) {
	token := mintOpaque(t)
	_, p := world(t, oauthWorld(map[string]sandbox.Token{token: {User: alice, Scopes: allMailScopes}}),
		&Credentials{User: alice, Token: token})
	rep := p.Run(context.Background(), Request{Endpoints: secureEndpoints[:1]})
	if a := rep.Endpoints[0].Auth; a == nil || !a.OK || a.Mechanism != MechOAUTHBEARER {
		t.Errorf("auth %+v", a)
	}
}

func TestOAuthRefusalsExplained(t *testing.T) {
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	type tc struct {
		name, mech, status string
		ep                 Endpoint
		token              func(t *testing.T) (string, sandbox.Token)
		want               string
	}
	imaps, pop3s, smtps := secureEndpoints[0], secureEndpoints[2], secureEndpoints[4]
	tests := []tc{}
	for _, ep := range []Endpoint{imaps, pop3s, smtps} {
		tests = append(tests,
			tc{"expired jwt", MechXOAUTH2, "401", ep, func(t *testing.T) (string, sandbox.Token) {
				return mintJWT(t, alice, allMailScopes, past), sandbox.Token{User: alice, Scopes: allMailScopes, Expired: true}
			}, catalog.OAuthTokenExpired},
			tc{"expired opaque", MechOAUTHBEARER, "invalid_token", ep, func(t *testing.T) (string, sandbox.Token) {
				return mintOpaque(t), sandbox.Token{User: alice, Scopes: allMailScopes, Expired: true}
			}, catalog.OAuthTokenExpired},
			tc{"expired opaque xoauth2", MechXOAUTH2, "401", ep, func(t *testing.T) (string, sandbox.Token) {
				return mintOpaque(t), sandbox.Token{User: alice, Scopes: allMailScopes, Expired: true}
			}, catalog.OAuthTokenExpired},
			tc{"wrong scope jwt", MechXOAUTH2, "401", ep, func(t *testing.T) (string, sandbox.Token) {
				return mintJWT(t, alice, []string{"Mail.Read"}, future), sandbox.Token{User: alice, Scopes: []string{"Mail.Read"}}
			}, catalog.OAuthScope},
			tc{"wrong scope opaque", MechOAUTHBEARER, "insufficient_scope", ep, func(t *testing.T) (string, sandbox.Token) {
				return mintOpaque(t), sandbox.Token{User: alice, Scopes: []string{"Mail.Read"}}
			}, catalog.OAuthScope},
			tc{"another user's jwt", MechOAUTHBEARER, "invalid_token", ep, func(t *testing.T) (string, sandbox.Token) {
				return mintJWT(t, "bob@a.test", allMailScopes, future), sandbox.Token{User: "bob@a.test", Scopes: allMailScopes}
			}, catalog.OAuthWrongAccount},
		)
	}
	// A scope for another protocol only: the IMAP token on SMTP.
	tests = append(tests, tc{"imap-only jwt on smtp", MechXOAUTH2, "401", smtps, func(t *testing.T) (string, sandbox.Token) {
		return mintJWT(t, alice, []string{"IMAP.AccessAsUser.All"}, future), sandbox.Token{User: alice, Scopes: []string{"IMAP.AccessAsUser.All"}}
	}, catalog.OAuthScope})
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.ep.URL(), func(t *testing.T) {
			token, grant := tt.token(t)
			_, p := world(t, oauthWorld(map[string]sandbox.Token{token: grant}),
				&Credentials{User: alice, Token: token, OAuthMechanism: tt.mech})
			rep := p.Run(context.Background(), Request{Endpoints: []Endpoint{tt.ep}})
			e := rep.Endpoints[0]
			if e.Auth == nil || !e.Auth.Tested || e.Auth.OK || e.Auth.Problem == nil || e.Auth.Problem.Code != tt.want {
				t.Fatalf("auth %+v, want %s\n%s", e.Auth, tt.want, strings.Join(e.Transcript, "\n"))
			}
			if !hasProblem(e, tt.want) {
				t.Errorf("problem %s not among the endpoint's problems %v", tt.want, problemCodes(e))
			}
			if e.Auth.OAuthError == nil || e.Auth.OAuthError.Status != tt.status {
				t.Errorf("error challenge %+v, want status %s", e.Auth.OAuthError, tt.status)
			}
			if !strings.Contains(e.Auth.Problem.Summary, "error challenge status "+tt.status) {
				t.Errorf("summary does not show the challenge: %s", e.Auth.Problem.Summary)
			}
			assertNoToken(t, rep, alice, token)
		})
	}
}

func TestOAuthNotOffered(t *testing.T) {
	_, p := world(t, authWorld(), &Credentials{User: alice, Token: mintOpaque(t)})
	rep := p.Run(context.Background(), Request{Endpoints: secureEndpoints[:1]})
	if a := rep.Endpoints[0].Auth; a == nil || a.Tested || a.Problem == nil || a.Problem.Code != catalog.AuthMechanism {
		t.Errorf("auth %+v", a)
	}
}

func TestOAuthRefusalIsOneVerdictPerServer(t *testing.T) {
	token := mintOpaque(t)
	_, p := world(t, oauthWorld(map[string]sandbox.Token{token: {User: alice, Expired: true}}),
		&Credentials{User: alice, Token: token})
	if !catalog.JudgesCredentials(catalog.OAuthTokenExpired) || catalog.JudgesCredentials(catalog.AuthTemporary) {
		t.Fatal("JudgesCredentials")
	}
	rep := p.Run(context.Background(), Request{Domain: "a.test", Address: alice})
	tested := 0
	for _, e := range rep.Endpoints {
		if e.Protocol == IMAP && e.Host == "mail.a.test" && e.Auth != nil && e.Auth.Tested {
			tested++
		}
	}
	if tested != 1 {
		t.Errorf("%d IMAP logins on mail.a.test, want 1", tested)
	}
}

func TestRedactorHidesTokenAtAnyOffset(t *testing.T) {
	token := mintOpaque(t)
	r := session.NewRedactor("")
	r.AddToken(token)
	for prefix := 0; prefix < 6; prefix++ {
		line := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", prefix) + token + "tail"))
		got := r.Server("S " + line)
		mid := base64.StdEncoding.EncodeToString(append(make([]byte, prefix%3), token...))
		if strings.Contains(got, mid[4:len(mid)-4]) {
			t.Errorf("prefix %d: %q still holds the token", prefix, got)
		}
	}
	if got := r.Client("a1 NOOP"); got != "a1 NOOP" {
		t.Errorf("innocent line changed: %q", got)
	}
}

func TestSendWithToken(t *testing.T) {
	good, old := mintOpaque(t), mintOpaque(t)
	w := oauthWorld(map[string]sandbox.Token{good: {User: alice, Scopes: allMailScopes}, old: {User: alice, Scopes: allMailScopes, Expired: true}})
	submission := Endpoint{Protocol: SMTP, Host: "mail.a.test", Port: 587, Security: STARTTLS}
	for _, c := range []struct {
		token, want string
	}{{good, ""}, {old, catalog.OAuthTokenExpired}} {
		_, p := world(t, w, &Credentials{User: alice, Token: c.token})
		res := p.Send(context.Background(), SendRequest{Server: submission, From: alice, To: []string{alice}, DryRun: true})
		switch {
		case c.want == "" && (res.Problem != nil || !res.Accepted):
			t.Errorf("refused: %+v\n%s", res.Problem, strings.Join(res.Transcript, "\n"))
		case c.want != "" && (res.Problem == nil || res.Problem.Code != c.want):
			t.Errorf("problem %+v, want %s", res.Problem, c.want)
		}
		b, _ := json.Marshal(res)
		if strings.Contains(string(b), c.token) || strings.Contains(string(b), base64.StdEncoding.EncodeToString([]byte(c.token))) {
			t.Errorf("the send result shows the token")
		}
	}
}
