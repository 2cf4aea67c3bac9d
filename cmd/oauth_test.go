package cmd

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/mailcheck/mailcheck/probe"
)

// fakeAuthServer is an RFC 8628 authorization server on loopback: a device code, one "pending" answer,
// then tokenBody.
type fakeAuthServer struct {
	*httptest.Server
	mu        sync.Mutex
	polls     int
	tenants   []string
	tokenBody string
	status    int
}

func startFakeAuthServer(t *testing.T, status int, tokenBody string) *fakeAuthServer {
	t.Helper()
	f := &fakeAuthServer{tokenBody: tokenBody, status: status}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/devicecode", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.tenants = append(f.tenants, r.PathValue("tenant"))
		f.mu.Unlock()
		if r.FormValue("client_id") != "client-1" || !strings.Contains(r.FormValue("scope"), "IMAP.AccessAsUser.All") {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"device_code":"dev-1","user_code":"ABCD-EFGH","verification_uri":"https://login.example/device","expires_in":600,"interval":1}`))
	})
	mux.HandleFunc("POST /{tenant}/token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.polls++
		first := f.polls == 1
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.FormValue("device_code") != "dev-1" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		if first {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"authorization_pending"}`))
			return
		}
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.tokenBody))
	})
	f.Server = httptest.NewServer(mux) // binds 127.0.0.1
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAuthServer) provider() *probe.OAuthProvider {
	p := probe.OAuthProviders["microsoft"]
	p.Endpoint = oauth2.Endpoint{DeviceAuthURL: f.URL + "/TENANT/devicecode", TokenURL: f.URL + "/TENANT/token", AuthStyle: oauth2.AuthStyleInParams}
	return &p
}

func jwtFor(user string) string {
	claims, _ := json.Marshal(map[string]any{"upn": user, "scp": "IMAP.AccessAsUser.All POP.AccessAsUser.All SMTP.Send", "exp": 4102444800})
	return "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString(claims) + ".c2lnbmF0dXJl"
}

func runFakeOAuth(t *testing.T, f *fakeAuthServer, out string) (error, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ios := &IOStreams{Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" }}
	opts := &OAuthOptions{IO: ios, Provider: "microsoft", User: "alice@example.com", ClientID: "client-1", Tenant: "example.com",
		Out: out, Timeout: 60e9, httpClient: f.Client(), endpoint: f.provider()}
	err := runOAuth(context.Background(), opts)
	return err, stdout.String(), stderr.String()
}

func TestOAuthDeviceLogin(t *testing.T) {
	token := jwtFor("alice@example.com")
	body, _ := json.Marshal(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3599,
		"refresh_token": "refresh-secret", "scope": "https://outlook.office.com/IMAP.AccessAsUser.All"})
	f := startFakeAuthServer(t, http.StatusOK, string(body))
	err, stdout, stderr := runFakeOAuth(t, f, "")
	if err != nil {
		t.Fatalf("%v; stderr %s", err, stderr)
	}
	if stdout != token+"\n" {
		t.Errorf("stdout = %q, want the token alone", stdout)
	}
	for _, want := range []string{"https://login.example/device", "ABCD-EFGH", "alice@example.com", "valid until"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, token) || strings.Contains(stdout+stderr, "refresh-secret") {
		t.Errorf("a token leaked to stderr or the refresh token was printed:\n%s", stderr)
	}
	if f.tenants[0] != "example.com" {
		t.Errorf("tenant in the URL = %q", f.tenants[0])
	}

	// --out: a 0600 file with the token, nothing on stdout.
	out := filepath.Join(t.TempDir(), "token")
	f2 := startFakeAuthServer(t, http.StatusOK, string(body))
	err, stdout, _ = runFakeOAuth(t, f2, out)
	if err != nil {
		t.Fatal(err)
	}
	b, rerr := os.ReadFile(out)
	fi, serr := os.Stat(out)
	if rerr != nil || serr != nil || string(b) != token+"\n" || fi.Mode().Perm() != 0o600 || stdout != "" {
		t.Errorf("--out file %q mode %v (%v %v), stdout %q", b, fi.Mode(), rerr, serr, stdout)
	}
}

func TestOAuthDeviceLoginFailures(t *testing.T) {
	tests := []struct {
		name, body, want string
		status           int
	}{
		{"consent", `{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application."}`, "oauth_consent_required", http.StatusBadRequest},
		{"declined", `{"error":"access_denied","error_description":"the user declined"}`, "user_cancelled", http.StatusBadRequest},
		{"scope", `{"error":"invalid_scope"}`, "oauth_scope_missing", http.StatusBadRequest},
		{"another account", `{"access_token":"` + jwtFor("bob@example.com") + `","token_type":"Bearer","expires_in":3599}`, "oauth_wrong_account", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFakeAuthServer(t, tt.status, tt.body)
			err, stdout, _ := runFakeOAuth(t, f, "")
			var ee *ExitError
			if err == nil || !strings.Contains(err.Error(), tt.want) || !asExit(err, &ee) || ee.Code != ExitProblems {
				t.Fatalf("err = %v, want %s and exit 1", err, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q", stdout)
			}
			if strings.Contains(err.Error(), "eyJ") {
				t.Errorf("the error shows a token: %v", err)
			}
		})
	}
}

func TestOAuthUsage(t *testing.T) {
	for _, args := range [][]string{
		{"oauth"},
		{"oauth", "yahoo", "--user", "a@b.test", "--client-id", "x"},
		{"oauth", "microsoft", "--client-id", "x"},
		{"oauth", "microsoft", "--user", "a@b.test"},
		{"oauth", "google", "--user", "a@b.test", "--client-id", "x"},
		{"oauth", "microsoft", "--user", "a@b.test", "--client-id", "x", "--out", "/nonexistent/dir/token"},
	} {
		var out, errOut bytes.Buffer
		code := Run(args, &IOStreams{Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }})
		if code != ExitUsage || !strings.HasPrefix(errOut.String(), "mailcheck: ") || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
		}
	}
}

func asExit(err error, ee **ExitError) bool { return errors.As(err, ee) }
