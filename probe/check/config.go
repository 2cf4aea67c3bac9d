package check

// The config file is TOML, read with github.com/BurntSushi/toml.
//
// Why TOML: the file lives in the repository under test and is written by people, so it needs comments and
// must not depend on indentation; TOML has both, types its values explicitly (no YAML surprises such as
// `no` becoming false or 0993 becoming a number), and its array of tables, [[target]], is exactly "a list
// of targets". JSON has no comments; YAML's implicit typing and indentation rules are what a CI file
// should not depend on.
//
// Why BurntSushi/toml: it is the long-standing Go TOML decoder (TOML 1.0, tested against the toml-test
// suite), still maintained, has no dependencies outside the standard library, and its MetaData.Undecoded
// lists every key the struct did not take, so a misspelt key (cert_min_dayz) is an error instead of a check
// that silently never runs. It gives line numbers for syntax and type errors; keys it does not know carry
// no position, so locator below finds their line in the source.

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/mailcheck/mailcheck/probe"
)

// Spec is a target as written: a [[target]] table of the config file, or an endpoint argument with the
// expectation flags. Pointers tell "not set" from zero.
type Spec struct {
	Name           string   `toml:"name"`
	Endpoint       string   `toml:"endpoint"`
	Expect         string   `toml:"expect"`
	CertMinDays    *int     `toml:"cert_min_days"`
	CertWarnDays   *int     `toml:"cert_warn_days"`
	PlaintextLogin string   `toml:"plaintext_login"`
	AuthMechanisms []string `toml:"auth_mechanisms"`
	Login          bool     `toml:"login"`
	User           string   `toml:"user"`
	PasswordEnv    string   `toml:"password_env"`
	TokenEnv       string   `toml:"token_env"`
	// Domain, Incoming and Outgoing make a domain target (domain.go): what discovery recommends.
	Domain   string `toml:"domain"`
	Incoming string `toml:"incoming"`
	Outgoing string `toml:"outgoing"`
	// The posture assertions of a domain target (posture.go): what the domain publishes.
	SPF          string `toml:"spf"`
	DMARCPolicy  string `toml:"dmarc_policy"`
	MTASTS       string `toml:"mta_sts"`
	TLSRPT       bool   `toml:"tls_rpt"`
	SendingIP    string `toml:"sending_ip"`
	DKIMSelector string `toml:"dkim_selector"`
	ReverseDNS   bool   `toml:"reverse_dns"`
	Blocklists   bool   `toml:"blocklists"`
	DANE         bool   `toml:"dane"`
	// AnySettings, for a domain target, checks that discovery recommends an incoming and an outgoing
	// setting where no URL is expected (a bulk list's domain lines); not a config key.
	AnySettings bool `toml:"-"`
}

// Keys are the keys of a [[target]] table, in the order the README documents them.
var Keys = []string{"name", "endpoint", "expect", "cert_min_days", "cert_warn_days", "plaintext_login",
	"auth_mechanisms", "login", "user", "password_env", "token_env", "domain", "incoming", "outgoing",
	"spf", "dmarc_policy", "mta_sts", "tls_rpt", "sending_ip", "dkim_selector", "reverse_dns", "blocklists", "dane"}

// Defaults are the thresholds the command's flags give every TLS target that does not set its own.
type Defaults struct {
	CertMinDays  int
	CertWarnDays int
}

// FieldError is a bad value, named by its config key.
type FieldError struct {
	Key string
	Msg string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Target validates the spec and fills in defaults. Errors are *FieldError.
func (s Spec) Target(d Defaults) (Target, error) {
	bad := func(key, format string, a ...any) (Target, error) {
		return Target{}, &FieldError{Key: key, Msg: fmt.Sprintf(format, a...)}
	}
	if s.Domain != "" || s.Incoming != "" || s.Outgoing != "" || s.hasPosture() {
		return s.domainTarget()
	}
	if strings.TrimSpace(s.Endpoint) == "" {
		return bad("endpoint", `is missing: write e.g. endpoint = "imaps://mail.example.com:993"`)
	}
	ep, err := probe.ParseEndpoint(s.Endpoint)
	if err != nil {
		return bad("endpoint", "%v", err)
	}
	t := Target{Name: strings.TrimSpace(s.Name), Endpoint: ep, Expect: s.Expect, PlaintextLogin: s.PlaintextLogin,
		Login: s.Login, User: s.User, PasswordEnv: s.PasswordEnv, TokenEnv: s.TokenEnv, OAuth: s.TokenEnv != ""}
	if t.Name == "" {
		t.Name = ep.URL()
	}
	switch s.Expect {
	case "":
		t.Expect = Present
	case Present, Absent:
	default:
		return bad("expect", `must be "present" or "absent", not %q`, s.Expect)
	}
	if t.Expect == Absent {
		// An absent service has no certificate or login to judge.
		for _, set := range []struct {
			key string
			on  bool
		}{
			{"cert_min_days", s.CertMinDays != nil}, {"cert_warn_days", s.CertWarnDays != nil},
			{"plaintext_login", s.PlaintextLogin != ""}, {"auth_mechanisms", len(s.AuthMechanisms) > 0},
			{"login", s.Login}, {"user", s.User != ""}, {"password_env", s.PasswordEnv != ""}, {"token_env", s.TokenEnv != ""},
		} {
			if set.on {
				return bad(set.key, `cannot be combined with expect = "absent": nothing is there to check`)
			}
		}
		return t, nil
	}
	for _, v := range []struct {
		key string
		n   *int
	}{{"cert_min_days", s.CertMinDays}, {"cert_warn_days", s.CertWarnDays}} {
		if v.n != nil && *v.n < 0 {
			return bad(v.key, "must be 0 or more days, not %d", *v.n)
		}
	}
	if s.CertMinDays != nil && s.CertWarnDays != nil && *s.CertWarnDays != 0 && *s.CertWarnDays < *s.CertMinDays {
		return bad("cert_warn_days", "(%d) must be at least cert_min_days (%d): the warning comes before the failure", *s.CertWarnDays, *s.CertMinDays)
	}
	t.CertMinDays, t.CertWarnDays = d.CertMinDays, d.CertWarnDays
	if s.CertMinDays != nil {
		t.CertMinDays = *s.CertMinDays
	}
	if s.CertWarnDays != nil {
		t.CertWarnDays = *s.CertWarnDays
	}
	if t.CertWarnDays <= t.CertMinDays {
		t.CertWarnDays = 0 // a warning level at or below the failure level adds nothing
	}
	switch s.PlaintextLogin {
	case "", PlaintextRefused, PlaintextOffered:
	default:
		return bad("plaintext_login", `must be "refused" or "offered", not %q`, s.PlaintextLogin)
	}
	seen := map[string]bool{}
	for _, m := range s.AuthMechanisms {
		m = strings.ToUpper(strings.TrimSpace(m))
		if m == "" || strings.ContainsAny(m, " \t,") {
			return bad("auth_mechanisms", "%q is not a login method name such as PLAIN or LOGIN", m)
		}
		if !seen[m] {
			seen[m] = true
			t.AuthMechanisms = append(t.AuthMechanisms, m)
		}
	}
	if !s.Login && s.User != "" {
		return bad("user", "is set but login is not true")
	}
	if s.User != "" {
		if err := probe.ValidUser(s.User); err != nil {
			return bad("user", "%v", err)
		}
	}
	if !s.Login && s.PasswordEnv != "" {
		return bad("password_env", "is set but login is not true")
	}
	if !s.Login && s.TokenEnv != "" {
		return bad("token_env", "is set but login is not true")
	}
	if s.TokenEnv != "" && s.PasswordEnv != "" {
		return bad("token_env", "and password_env are both set: a target tests a password or an OAuth2 token, not both")
	}
	if s.TokenEnv != "" && !envName.MatchString(s.TokenEnv) {
		return bad("token_env", "the value is not an environment variable name (letters, digits, _)%s", valueNotShown)
	}
	if s.PasswordEnv != "" && !envName.MatchString(s.PasswordEnv) {
		return bad("password_env", "the value is not an environment variable name (letters, digits, _)%s", valueNotShown)
	}
	return t, nil
}

// ConfigError is a problem in the config file, located as precisely as the file allows.
type ConfigError struct {
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

type configFile struct {
	Target []Spec `toml:"target"`
}

// reTypeError reads the position out of BurntSushi/toml's type errors ("toml: line 4 (last key
// "target.login"): incompatible types: ..."), which are plain errors, unlike its *ParseError. Formatting
// only: when the text differs, the message is passed on whole.
var reTypeError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// valueNotShown ends an error about a key that holds or names a secret, whose value is never repeated:
// people paste the password itself where the name of its variable or file belongs.
const valueNotShown = " (the value is not shown: it may be a password)"

// SecretKey says whether a config key holds or names a secret (password, password_env, password_file,
// token_env, client_secret, …). Errors about such a key name the key and the line, never the value.
func SecretKey(key string) bool {
	k := strings.ToLower(key)
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		k = k[i+1:]
	}
	for _, w := range []string{"pass", "pwd", "token", "secret", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// secretLine says whether line n (1-based) of src assigns a secret-bearing key.
func secretLine(src string, n int) bool {
	lines := strings.Split(src, "\n")
	if n < 1 || n > len(lines) {
		return false
	}
	key, _, found := strings.Cut(lines[n-1], "=")
	return found && SecretKey(strings.Trim(strings.TrimSpace(key), `"'`))
}

// TOMLError turns a decoding error of BurntSushi/toml into a *ConfigError naming the file, the line and
// the key. The parser quotes the text it stumbled on ("expected value but found \"hunter\" instead"):
// on a line that assigns a secret-bearing key (SecretKey), or after one, only the key and the line are
// given.
func TOMLError(file string, src []byte, err error) *ConfigError {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if SecretKey(pe.LastKey) || secretLine(string(src), pe.Position.Line) {
			msg = "the value is not valid TOML; write a quoted name, e.g. password_env = \"MAILCHECK_PASSWORD\"" + valueNotShown
		}
		if pe.LastKey != "" {
			msg = fmt.Sprintf("key %s: %s", pe.LastKey, msg)
		}
		return &ConfigError{File: file, Line: pe.Position.Line, Msg: msg}
	}
	if m := reTypeError.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: file, Line: line, Msg: fmt.Sprintf("key %s: %s", m[2], m[3])} // types only, no value
	}
	return &ConfigError{File: file, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

// ParseConfig reads a config file: one or more [[target]] tables. Unknown keys, wrong types and invalid
// values are errors (*ConfigError) naming the file, the line and the key (and, for a key that holds or
// names a secret, never its value).
func ParseConfig(file string, src []byte, d Defaults) ([]Target, error) {
	var cfg configFile
	md, err := toml.Decode(string(src), &cfg)
	loc := newLocator(string(src))
	if err != nil {
		return nil, TOMLError(file, src, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		line, idx := loc.find(k)
		where := "unknown key"
		if idx >= 0 {
			where = fmt.Sprintf("target #%d: unknown key", idx+1)
		}
		known := "the file has only [[target]] tables"
		if len(k) > 1 && k[0] == "target" {
			known = "known keys: " + strings.Join(Keys, ", ")
		}
		if SecretKey(k[len(k)-1]) {
			known = "a password or token never goes in this file: name an environment variable with password_env or token_env"
		}
		return nil, &ConfigError{File: file, Line: line, Msg: fmt.Sprintf("%s %q (%s)", where, k[len(k)-1], known)}
	}
	if len(cfg.Target) == 0 {
		return nil, &ConfigError{File: file, Msg: `no [[target]] table: add one, e.g. [[target]] with endpoint = "imaps://mail.example.com:993"`}
	}
	targets := make([]Target, 0, len(cfg.Target))
	for i, s := range cfg.Target {
		t, err := s.Target(d)
		if err != nil {
			var fe *FieldError
			errors.As(err, &fe)
			line := loc.key(i, fe.Key)
			if line == 0 {
				line = loc.target(i)
			}
			name := ""
			if s.Name != "" {
				name = fmt.Sprintf(" (%q)", s.Name)
			}
			return nil, &ConfigError{File: file, Line: line, Msg: fmt.Sprintf("target #%d%s: %v", i+1, name, err)}
		}
		t.Where = file
		if l := loc.target(i); l > 0 {
			t.Where = fmt.Sprintf("%s:%d", file, l)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// locator finds targets and keys in the source text, for error messages. It understands the way the
// README writes the file ([[target]] headers, one key = value per line); for other layouts (inline
// tables) it answers 0, and the message goes without a line number.
type locator struct {
	lines []string
	// headers are the 0-based line indexes of the [[target]] headers.
	headers []int
}

var (
	reTargetHeader = regexp.MustCompile(`^\s*\[\[\s*(target|"target")\s*\]\]\s*(#.*)?$`)
	reAnyHeader    = regexp.MustCompile(`^\s*\[`)
)

func newLocator(src string) locator {
	l := locator{lines: strings.Split(src, "\n")}
	for i, line := range l.lines {
		if reTargetHeader.MatchString(line) {
			l.headers = append(l.headers, i)
		}
	}
	return l
}

// target is the 1-based line of the i-th [[target]] header, 0 when not found.
func (l locator) target(i int) int {
	if i < 0 || i >= len(l.headers) {
		return 0
	}
	return l.headers[i] + 1
}

func assigns(line, key string) bool {
	re := `^\s*(` + regexp.QuoteMeta(key) + `|"` + regexp.QuoteMeta(key) + `"|'` + regexp.QuoteMeta(key) + `')\s*=`
	return regexp.MustCompile(re).MatchString(line)
}

// key is the 1-based line where the i-th target assigns key, 0 when not found.
func (l locator) key(i int, key string) int {
	if i < 0 || i >= len(l.headers) {
		return 0
	}
	for j := l.headers[i] + 1; j < len(l.lines); j++ {
		if reAnyHeader.MatchString(l.lines[j]) {
			break
		}
		if assigns(l.lines[j], key) {
			return j + 1
		}
	}
	return 0
}

// find locates an undecoded key: the line, and the index of the target it is in (-1 outside targets).
func (l locator) find(k toml.Key) (line, target int) {
	if len(k) == 2 && k[0] == "target" {
		for i := range l.headers {
			if n := l.key(i, k[1]); n > 0 {
				return n, i
			}
		}
	}
	// A top-level key or table: its assignment before the first header, or its own table header.
	name := k[len(k)-1]
	for j, text := range l.lines {
		beforeTables := len(l.headers) == 0 || j < l.headers[0]
		if len(k) == 1 && beforeTables && assigns(text, name) {
			return j + 1, -1
		}
		if reAnyHeader.MatchString(text) && strings.Contains(strings.ReplaceAll(text, " ", ""), "["+k.String()+"]") {
			return j + 1, -1
		}
	}
	return 0, -1
}
