// Package exporter is the policy of `mailcheck exporter`, the Prometheus multi-target exporter: which
// targets may be probed (allow-target patterns), how (modules from a TOML file), how many at once and how
// often per target, within which deadline (Prometheus' scrape-timeout header), and which queries are
// refused (any that carries a credential). It serves HTTP; the metric families and pages come from a View
// (package report), so this package decides and never renders.
package exporter

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/mailcheck/mailcheck/internal/smallfile"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/check"
)

// DefaultModule is the module a query without module= gets; it exists even without a modules file.
const DefaultModule = "default"

// Module is one way of probing, a [module.NAME] table of the modules file. Credentials are named, never
// written: password_env or password_file.
type Module struct {
	// Name is the table's name, the value of module= in the query.
	Name string `toml:"-"`
	// Timeout bounds each step (one DNS query, connect, handshake, command), as --timeout.
	Timeout duration `toml:"timeout"`
	// MaxTime bounds the whole probe; Prometheus' scrape timeout (minus the offset) shortens it.
	MaxTime duration `toml:"max_time"`
	// STARTTLS is the upgrade policy of plain-port endpoints: no, try or require.
	STARTTLS string `toml:"starttls"`
	// CertWarnDays warns (cert_expiring_soon) when a certificate has fewer days left.
	CertWarnDays *int `toml:"cert_warn_days"`
	// Login tests the login with User and the password from PasswordEnv or PasswordFile.
	Login              bool   `toml:"login"`
	User               string `toml:"user"`
	PasswordEnv        string `toml:"password_env"`
	PasswordFile       string `toml:"password_file"`
	AllowPlaintextAuth bool   `toml:"allow_plaintext_auth"`
	// LoginHosts are hosts outside the account's domain that endpoint URL targets of a login module may
	// name (lower case). The password is bound to its account: every other target outside the domain of
	// User is refused (Binds), since whoever scrapes chooses the target.
	LoginHosts []string `toml:"login_hosts"`

	// Expectations, as in a `mailcheck check` target: with any of them (or login), the module judges one
	// endpoint URL and exports a success per check; probe_success is then the verdict.
	Expect         string   `toml:"expect"`
	CertMinDays    *int     `toml:"cert_min_days"`
	PlaintextLogin string   `toml:"plaintext_login"`
	AuthMechanisms []string `toml:"auth_mechanisms"`
	// Posture also checks the mail posture of a domain or address target (probe/posture), beside the
	// probe, exported as mailcheck_posture_ok and mailcheck_posture_verdict.
	Posture bool `toml:"posture"`

	// certWarnSet says whether cert_warn_days was written (else it is the probe's default, no check).
	certWarnSet bool
}

// ModuleKeys are the keys of a [module.NAME] table, in the order the README documents them.
var ModuleKeys = []string{"timeout", "max_time", "starttls", "cert_warn_days", "login", "user", "password_env",
	"password_file", "allow_plaintext_auth", "login_hosts", "expect", "cert_min_days", "plaintext_login", "auth_mechanisms",
	"posture"}

// Module defaults: probe's, defined there once.
const (
	defaultTimeout  = probe.DefaultTimeout
	defaultMaxTime  = probe.DefaultMaxTime
	defaultCertWarn = probe.DefaultCertWarnDays
)

// duration reads TOML strings like "5s".
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write e.g. \"5s\" or \"1m\")", b)
	}
	d.Duration = v
	return nil
}

// MaxModulesFileSize bounds the modules file.
const MaxModulesFileSize = 1 << 20

var moduleName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// LoadModules reads a modules file; an empty path gives only the default module. Errors name the file
// and, where TOML knows it, the line.
func LoadModules(path string) (map[string]Module, error) {
	mods := map[string]Module{}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		src, err := io.ReadAll(io.LimitReader(f, MaxModulesFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if len(src) > MaxModulesFileSize {
			return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxModulesFileSize)
		}
		if mods, err = ParseModules(path, src); err != nil {
			return nil, err
		}
	}
	if _, ok := mods[DefaultModule]; !ok {
		m := Module{Name: DefaultModule}
		if err := m.normalise(); err != nil {
			return nil, err
		}
		mods[DefaultModule] = m
	}
	return mods, nil
}

// ParseModules reads the TOML text of a modules file: [module.NAME] tables, nothing else.
func ParseModules(name string, src []byte) (map[string]Module, error) {
	var doc struct {
		Module map[string]Module `toml:"module"`
	}
	md, err := toml.Decode(string(src), &doc)
	if err != nil {
		return nil, check.TOMLError(name, src, err) // never the value of a secret-bearing key
	}
	if und := md.Undecoded(); len(und) > 0 {
		key := und[0].String()
		last := strings.ToLower(und[0][len(und[0])-1])
		for _, w := range []string{"pass", "pwd", "token", "secret"} {
			if strings.Contains(last, w) && last != "password_env" && last != "password_file" {
				return nil, fmt.Errorf("%s: key %q: a password or token never goes in this file: name an environment variable with password_env or a file with password_file", name, key)
			}
		}
		return nil, fmt.Errorf("%s: unknown key %q (a module table is [module.NAME] with keys %s)", name, key, strings.Join(ModuleKeys, ", "))
	}
	names := make([]string, 0, len(doc.Module))
	for n := range doc.Module {
		names = append(names, n)
	}
	sort.Strings(names)
	mods := map[string]Module{}
	for _, n := range names {
		m := doc.Module[n]
		m.Name = n
		if !moduleName.MatchString(n) {
			return nil, fmt.Errorf("%s: module name %q: use 1 to 64 letters, digits, '_', '-' or '.'", name, n)
		}
		if err := m.normalise(); err != nil {
			return nil, fmt.Errorf("%s: module %s: %v", name, n, err)
		}
		mods[n] = m
	}
	return mods, nil
}

// normalise fills in defaults and checks values.
func (m *Module) normalise() error {
	if m.Timeout.Duration == 0 {
		m.Timeout.Duration = defaultTimeout
	}
	if m.MaxTime.Duration == 0 {
		m.MaxTime.Duration = defaultMaxTime
	}
	if m.Timeout.Duration < 0 || m.MaxTime.Duration < 0 {
		return errors.New("timeout and max_time must be positive")
	}
	if m.STARTTLS == "" {
		m.STARTTLS = string(probe.STARTTLSRequire)
	}
	switch probe.STARTTLSPolicy(m.STARTTLS) {
	case probe.STARTTLSNo, probe.STARTTLSTry, probe.STARTTLSRequire:
	default:
		return fmt.Errorf("starttls must be \"no\", \"try\" or \"require\", not %q", m.STARTTLS)
	}
	m.certWarnSet = m.CertWarnDays != nil
	if m.CertWarnDays == nil {
		d := defaultCertWarn
		m.CertWarnDays = &d
	}
	if *m.CertWarnDays < 0 {
		return errors.New("cert_warn_days must be 0 or more")
	}
	if m.Judges() {
		// The same rules as a check target's: one error message for both.
		if _, err := m.spec("imaps://module.invalid").Target(check.Defaults{}); err != nil {
			return err
		}
	}
	if !m.Login {
		if m.User != "" || m.PasswordEnv != "" || m.PasswordFile != "" || len(m.LoginHosts) > 0 {
			return errors.New("user, password_env, password_file and login_hosts need login = true")
		}
		return nil
	}
	for i, h := range m.LoginHosts {
		h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
		if _, err := netip.ParseAddr(h); err != nil && probe.ValidateHost(h) != nil {
			return fmt.Errorf("login_hosts: %q is not a host name or IP address", m.LoginHosts[i])
		}
		if ip, err := netip.ParseAddr(h); err == nil {
			h = ip.Unmap().String()
		}
		m.LoginHosts[i] = h
	}
	if m.User != "" && probe.AccountDomain(m.User) == "" && len(m.LoginHosts) == 0 {
		return fmt.Errorf("user %q is not an e-mail address, so the login's domain is unknown: name the hosts its password may go to with login_hosts = [\"imap.example.com\"]", m.User)
	}
	if m.User == "" {
		return errors.New("login = true needs user = \"NAME\"")
	}
	if err := probe.ValidUser(m.User); err != nil {
		return fmt.Errorf("user: %v", err)
	}
	if (m.PasswordEnv == "") == (m.PasswordFile == "") {
		return errors.New("login = true needs exactly one of password_env (an environment variable's name) and password_file (a file's path); the password itself never goes in this file")
	}
	if m.PasswordEnv != "" && !envName.MatchString(m.PasswordEnv) {
		return errors.New("password_env: the value is not an environment variable name (the value is not shown: it may be a password)")
	}
	return nil
}

// Credentials reads the module's password from the environment or its file, once, at start-up; nil
// without login.
func (m Module) Credentials(getenv func(string) string) (*probe.Credentials, error) {
	if !m.Login {
		return nil, nil
	}
	var pw string
	if m.PasswordEnv != "" {
		if pw = getenv(m.PasswordEnv); pw == "" {
			return nil, fmt.Errorf("module %s: the environment variable password_env names is not set or empty", m.Name)
		}
	} else {
		line, err := smallfile.FirstLine(m.PasswordFile, 64<<10)
		if err != nil {
			return nil, fmt.Errorf("module %s: password_file: %v", m.Name, err)
		}
		pw = line
	}
	return &probe.Credentials{User: m.User, Password: pw, AllowPlaintext: m.AllowPlaintextAuth, Bound: m.binding()}, nil
}

// binding is what the module's password is bound to: its account's domain and login_hosts.
func (m Module) binding() *probe.Binding {
	return &probe.Binding{Domain: probe.AccountDomain(m.User), Hosts: m.LoginHosts}
}

// Binds refuses a target a login module must not log in to: a domain outside its account's domain, an
// endpoint URL whose host is neither inside it nor in login_hosts. The scraper chooses the target, so
// an endpoint URL here is not the password owner's choice as it is on the command line (README "Who
// receives your password or token"). Modules without a login take any allowed target.
func (m Module) Binds(req probe.Request) error {
	if !m.Login {
		return nil
	}
	if ok, why := m.binding().Covers(req); !ok {
		return fmt.Errorf("target %q refused for module %s, which logs in as %s: %s; its password goes only there (add a host to login_hosts to allow it)", req.Target, m.Name, m.User, why)
	}
	return nil
}

// ProbeConfig derives the module's probe configuration from the exporter's base (resolver, dialer,
// trusted roots). Transcripts are always kept: the debug page shows them, redacted.
func (m Module) ProbeConfig(base probe.Config, creds *probe.Credentials) probe.Config {
	cfg := base
	if base.Resolver != nil {
		cfg.Resolver = &probe.Resolver{Servers: base.Resolver.Servers, Timeout: m.Timeout.Duration}
	}
	cfg.Timeout = m.Timeout.Duration
	cfg.STARTTLS = probe.STARTTLSPolicy(m.STARTTLS)
	cfg.CertWarnDays = *m.CertWarnDays
	cfg.Credentials = creds
	cfg.Transcript = true
	return cfg
}

// Judges says whether the module states expectations (expect, cert_min_days, plaintext_login,
// auth_mechanisms), which are judged as `mailcheck check` judges a target, on endpoint URLs only.
func (m Module) Judges() bool {
	return m.Expect != "" || m.CertMinDays != nil || m.PlaintextLogin != "" || len(m.AuthMechanisms) > 0
}

func (m Module) spec(endpoint string) check.Spec {
	s := check.Spec{Name: endpoint, Endpoint: endpoint, Expect: m.Expect, CertMinDays: m.CertMinDays,
		PlaintextLogin: m.PlaintextLogin, AuthMechanisms: m.AuthMechanisms, Login: m.Login, User: m.User}
	if m.certWarnSet {
		s.CertWarnDays = m.CertWarnDays
	}
	return s
}

// CheckTarget is the check target the module makes of an endpoint URL.
func (m Module) CheckTarget(endpoint string) (check.Target, error) {
	return m.spec(endpoint).Target(check.Defaults{})
}
