package check

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
)

const exampleConfig = `# mailcheck check configuration
[[target]]
name = "mail.example.com IMAP"
endpoint = "imaps://mail.example.com:993"
cert_min_days = 21
login = true
user = "ci@example.com"
password_env = "IMAP_PASSWORD"
plaintext_login = "refused"
auth_mechanisms = ["PLAIN", "login"]

[[target]]
endpoint = "submission://mail.example.com"   # STARTTLS on 587
cert_warn_days = 30
plaintext_login = "refused"

[[target]]
name = "no POP3"
endpoint = "pop3://mail.example.com:110"
expect = "absent"
`

func TestParseConfig(t *testing.T) {
	got, err := ParseConfig("mailcheck.toml", []byte(exampleConfig), Defaults{CertMinDays: 7, CertWarnDays: 14})
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{
		{Name: "mail.example.com IMAP", Endpoint: probe.Endpoint{Protocol: probe.IMAP, Host: "mail.example.com", Port: 993, Security: probe.TLS},
			Expect: Present, CertMinDays: 21, PlaintextLogin: "refused", AuthMechanisms: []string{"PLAIN", "LOGIN"},
			Login: true, User: "ci@example.com", PasswordEnv: "IMAP_PASSWORD", Where: "mailcheck.toml:2"},
		{Name: "submission://mail.example.com:587", Endpoint: probe.Endpoint{Protocol: probe.SMTP, Host: "mail.example.com", Port: 587, Security: probe.STARTTLS},
			Expect: Present, CertMinDays: 7, CertWarnDays: 30, PlaintextLogin: "refused", Where: "mailcheck.toml:12"},
		{Name: "no POP3", Endpoint: probe.Endpoint{Protocol: probe.POP3, Host: "mail.example.com", Port: 110, Security: probe.STARTTLS},
			Expect: Absent, Where: "mailcheck.toml:17"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

// The README's example config must parse, and use every key.
func TestExampleConfigFileParses(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "check", "mailcheck.toml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseConfig(path, src, Defaults{}); err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys {
		if !strings.Contains(string(src), "\n"+k+" = ") {
			t.Errorf("%s does not show the key %s", path, k)
		}
	}
}

func TestConfigErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		want      string
	}{
		{"unknown key", "[[target]]\nendpoint = \"imaps://a.example\"\n\n[[target]]\nendpoint = \"imaps://b.example\"\ncert_min_dayz = 21\n", 6,
			`target #2: unknown key "cert_min_dayz" (known keys: name, endpoint, expect`},
		{"unknown top-level key", "version = 2\n[[target]]\nendpoint = \"imaps://a.example\"\n", 1, `unknown key "version"`},
		{"unknown table", "[[target]]\nendpoint = \"imaps://a.example\"\n[defaults]\ncert_min_days = 3\n", 3, `unknown key "defaults"`},
		{"wrong type", "[[target]]\nendpoint = \"imaps://a.example\"\ncert_min_days = \"21\"\n", 3, `key target.cert_min_days: incompatible types`},
		{"syntax", "[[target]]\nendpoint = imaps://a.example\n", 2, "endpoint"},
		{"bad endpoint URL", "[[target]]\nname = \"x\"\nendpoint = \"ftp://a.example\"\n", 3, `target #1 ("x"): endpoint: unknown scheme "ftp"`},
		{"bad port", "[[target]]\nendpoint = \"imaps://a.example:99999\"\n", 2, "out of range"},
		{"missing endpoint", "[[target]]\nname = \"x\"\n", 1, "endpoint: is missing"},
		{"bad expect", "[[target]]\nendpoint = \"pop3://a.example\"\nexpect = \"maybe\"\n", 3, `expect: must be "present" or "absent", not "maybe"`},
		{"absent with login", "[[target]]\nendpoint = \"pop3://a.example\"\nexpect = \"absent\"\nlogin = true\n", 4, "login: cannot be combined"},
		{"warn below min", "[[target]]\nendpoint = \"imaps://a.example\"\ncert_min_days = 21\ncert_warn_days = 7\n", 4, "cert_warn_days: (7) must be at least cert_min_days (21)"},
		{"negative days", "[[target]]\nendpoint = \"imaps://a.example\"\ncert_min_days = -1\n", 3, "cert_min_days: must be 0 or more"},
		{"bad plaintext_login", "[[target]]\nendpoint = \"imap://a.example\"\nplaintext_login = \"no\"\n", 3, `plaintext_login: must be "refused" or "offered"`},
		{"bad mechanism", "[[target]]\nendpoint = \"imap://a.example\"\nauth_mechanisms = [\"PLAIN LOGIN\"]\n", 3, "auth_mechanisms:"},
		{"user without login", "[[target]]\nendpoint = \"imap://a.example\"\nuser = \"ci\"\n", 3, "user: is set but login is not true"},
		{"bad password_env", "[[target]]\nendpoint = \"imap://a.example\"\nlogin = true\npassword_env = \"$PW\"\n", 4, "password_env:"},
		{"token_env without login", "[[target]]\nendpoint = \"imap://a.example\"\ntoken_env = \"TOK\"\n", 3, "token_env: is set but login is not true"},
		{"token_env and password_env", "[[target]]\nendpoint = \"imap://a.example\"\nlogin = true\npassword_env = \"PW\"\ntoken_env = \"TOK\"\n", 5, "token_env: and password_env are both set"},
		{"bad token_env", "[[target]]\nendpoint = \"imap://a.example\"\nlogin = true\ntoken_env = \"$TOK\"\n", 4, "token_env:"},
		{"no targets", "# nothing\n", 0, "no [[target]] table"},
		{"target not a table array", "target = 3\n", 1, "incompatible types"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseConfig("ci/mailcheck.toml", []byte(c.src), Defaults{})
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want *ConfigError", err, err)
			}
			if ce.File != "ci/mailcheck.toml" || ce.Line != c.line {
				t.Errorf("at %s:%d, want ci/mailcheck.toml:%d (%v)", ce.File, ce.Line, c.line, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestDefaultsAndOverrides(t *testing.T) {
	cases := []struct {
		spec      Spec
		d         Defaults
		min, warn int
	}{
		{Spec{Endpoint: "imaps://a.example"}, Defaults{CertMinDays: 7, CertWarnDays: 21}, 7, 21},
		{Spec{Endpoint: "imaps://a.example", CertMinDays: intp(30)}, Defaults{CertMinDays: 7, CertWarnDays: 21}, 30, 0}, // warn at or below min adds nothing
		{Spec{Endpoint: "imaps://a.example", CertWarnDays: intp(0)}, Defaults{CertMinDays: 7, CertWarnDays: 21}, 7, 0},
		{Spec{Endpoint: "imaps://a.example", CertMinDays: intp(0), CertWarnDays: intp(10)}, Defaults{CertMinDays: 7}, 0, 10},
		{Spec{Endpoint: "pop3://a.example", Expect: Absent}, Defaults{CertMinDays: 7, CertWarnDays: 21}, 0, 0},
	}
	for _, c := range cases {
		tg := mustTarget(t, c.spec, c.d)
		if tg.CertMinDays != c.min || tg.CertWarnDays != c.warn {
			t.Errorf("%+v with %+v: min %d warn %d, want %d %d", c.spec, c.d, tg.CertMinDays, tg.CertWarnDays, c.min, c.warn)
		}
	}
}

// Keys, the list the errors and the README give, is the struct's.
func TestKeysMatchTheSpec(t *testing.T) {
	var tags []string
	st := reflect.TypeFor[Spec]()
	for i := range st.NumField() {
		if tag := st.Field(i).Tag.Get("toml"); tag != "-" {
			tags = append(tags, tag)
		}
	}
	if !reflect.DeepEqual(tags, Keys) {
		t.Errorf("Spec's keys %v, Keys %v", tags, Keys)
	}
}
