package cmd

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/web"
)

// ServeOptions are the parsed arguments of `mailcheck serve`.
type ServeOptions struct {
	IO            *IOStreams
	Listen        string
	DB            string
	UsersFile     string
	AllowTargets  []string
	AllowPrivate  []string
	MaxConcurrent int
	MaxPerHour    int
	LoginInterval time.Duration
	Retention     string
	TLSCert       string
	TLSKey        string
	SecureCookie  bool
	// ProxyUserHeader and TrustedProxies: sign-in by a reverse proxy's authenticated-user header.
	ProxyUserHeader string
	TrustedProxies  []string
	probeFlags

	// ready, when set, receives the listening address (tests).
	ready func(addr string)
}

// NewCmdServe builds `mailcheck serve` and its `user add`; runF replaces runServe in tests.
func NewCmdServe(ios *IOStreams, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: ios}
	c := &cobra.Command{
		Use:         "serve --db FILE --users FILE [--listen ADDR]",
		Annotations: map[string]string{annotationSignalEnds: "true"},
		Short:       "Serve the helpdesk web page: probe, explain, results with permanent links, history",
		Long: `Run the helpdesk web page. Staff sign in (accounts in --users, managed with
'mailcheck serve user add NAME'), check an address, a domain or server URLs (optionally with a password,
sent only to the user's servers and never stored or logged), follow the probe live, paste an error to
explain, and share each result's permanent link and ticket summary. Results are kept in a SQLite file
or a PostgreSQL database (--db) for --retention, searchable by domain.

Safe by default: listens on 127.0.0.1 only; every probe runs under the exporter's connection policy
(loopback, private, link-local such as 169.254.169.254, and other special-purpose addresses are refused
wherever a DNS record or redirect points, unless --allow-private names their range); --allow-target
limits the targets; each user may run --max-concurrent checks at once and --max-per-hour an hour; a
login may fail at most once per server and protocol per --login-interval, whoever asks; failed sign-ins
are slowed and limited per name and per client address; session cookies are HttpOnly and
SameSite=Strict (Secure over TLS or with --secure-cookie); every form carries a CSRF token; every
answer carries a strict Content-Security-Policy.

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 bad usage, an unreadable accounts file or database, or an
address that cannot be listened on.`,
		Example: `  mailcheck serve user add alice --users /etc/mailcheck/staff
  mailcheck serve --db /var/lib/mailcheck/results.db --users /etc/mailcheck/staff
  mailcheck serve --listen :8443 --tls-cert cert.pem --tls-key key.pem --db results.db --users staff --allow-target '*.example.com'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runServe(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:8025", "`ADDR` to serve HTTP on, host:port (:8025 for every interface)")
	f.StringVar(&opts.DB, "db", "", "results database: a SQLite `FILE` (created when missing) or a postgres:// URL (required)")
	f.StringVar(&opts.UsersFile, "users", "", "staff accounts `FILE` written by 'mailcheck serve user add' (required)")
	f.StringArrayVar(&opts.AllowTargets, "allow-target", nil, "`PATTERN` of targets that may be checked: example.com, *.example.com, 192.0.2.0/24 or *; repeat for more (default: any)")
	f.StringArrayVar(&opts.AllowPrivate, "allow-private", nil, "`CIDR` of internal addresses the probes may connect to (e.g. 10.1.0.0/16), which are refused by default; repeat for more")
	f.IntVar(&opts.MaxConcurrent, "max-concurrent", 2, "checks one user may run at once")
	f.IntVar(&opts.MaxPerHour, "max-per-hour", 30, "checks one user may start in any hour")
	f.DurationVar(&opts.LoginInterval, "login-interval", 10*time.Minute, "at most one failed login per server and protocol in this window, across all users")
	f.StringVar(&opts.Retention, "retention", "30d", "how long results are kept: a `DURATION` such as 30d, 12h")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "PEM certificate `FILE` to serve HTTPS (with --tls-key)")
	f.StringVar(&opts.TLSKey, "tls-key", "", "PEM private key `FILE` for --tls-cert")
	f.BoolVar(&opts.SecureCookie, "secure-cookie", false, "mark the session cookie Secure over plain HTTP (behind a reverse proxy that serves HTTPS)")
	f.StringVar(&opts.ProxyUserHeader, "proxy-user-header", "", "sign staff in by this header of a reverse proxy that authenticated them (e.g. X-Remote-User), only for requests from a --trusted-proxy")
	f.StringArrayVar(&opts.TrustedProxies, "trusted-proxy", nil, "`CIDR` or address of the reverse proxy whose --proxy-user-header is believed; repeat for more")
	f.DurationVar(&opts.MaxTime, "max-time", 60*time.Second, "limit for one check")
	f.DurationVar(&opts.Timeout, "timeout", probe.DefaultTimeout, "limit for each step (connect, handshake, command)")
	f.StringVar(&opts.Resolver, "resolver", "", "DNS server to ask, as IP[:port] (default: the servers in /etc/resolv.conf)")
	f.StringVar(&opts.CAFile, "ca-file", "", "PEM file of extra trusted root certificates (SSL_CERT_FILE and SSL_CERT_DIR also work)")
	opts.registerISPDB(f)
	opts.fs = f
	opts.STARTTLS, opts.Color = string(probe.DefaultSTARTTLS), ColorAuto
	c.AddCommand(newCmdServeUser(ios))
	return c
}

// parseRetention reads 30d, 12h, 90m (days are not a Go duration unit).
func parseRetention(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 36500 {
			return 0, fmt.Errorf("--retention %q: write a number of days (30d) or a duration (12h)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Minute {
		return 0, fmt.Errorf("--retention %q: write a number of days (30d) or a duration of at least 1m (12h)", s)
	}
	return d, nil
}

func runServe(ctx context.Context, opts *ServeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.DB == "" || opts.UsersFile == "" {
		return usageError("--db FILE and --users FILE are required")
	}
	if dbPasswordInArgs(opts.DB) {
		return usageError("--db: a password does not go on the command line (every user of the machine can read it there): put it in PGPASSWORD or ~/.pgpass")
	}
	if (opts.TLSCert == "") != (opts.TLSKey == "") {
		return usageError("--tls-cert and --tls-key go together")
	}
	if opts.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey); err != nil {
			return usageError("--tls-cert/--tls-key: %v", err)
		}
	}
	retention, err := parseRetention(opts.Retention)
	if err != nil {
		return usageError("%v", err)
	}
	if opts.MaxConcurrent < 1 || opts.MaxPerHour < 1 || opts.LoginInterval < 0 {
		return usageError("--max-concurrent and --max-per-hour must be at least 1, --login-interval 0 or more")
	}
	var allow *exporter.AllowList
	if len(opts.AllowTargets) > 0 {
		if allow, err = exporter.ParseAllowList(opts.AllowTargets); err != nil {
			return usageError("%v", err)
		}
	}
	private, err := netpolicy.ParseAllow(opts.AllowPrivate)
	if err != nil {
		return usageError("%v", err)
	}
	if (opts.ProxyUserHeader == "") != (len(opts.TrustedProxies) == 0) {
		return usageError("--proxy-user-header and --trusted-proxy go together: the header is believed only from the proxy's address")
	}
	proxies, err := netpolicy.ParseAllow(opts.TrustedProxies)
	if err != nil {
		return usageError("--trusted-proxy: %v", strings.TrimPrefix(err.Error(), "--allow-private "))
	}
	users, err := web.LoadUsers(opts.UsersFile)
	if err != nil {
		return usageError("%v", err)
	}
	p, err := opts.prober(nil)
	if err != nil {
		return err
	}
	store, err := web.OpenStore(ctx, opts.DB)
	if err != nil {
		return usageError("%v", err)
	}
	defer store.Close()
	logger := log.New(opts.IO.ErrOut, "mailcheck serve: ", log.LstdFlags)
	srv, err := web.New(web.Config{
		Users: users, Store: store, Base: p.Config(), Policy: netpolicy.New(private), Allow: allow,
		MaxConcurrent: opts.MaxConcurrent, MaxPerHour: opts.MaxPerHour, LoginInterval: opts.LoginInterval,
		MaxTime: opts.MaxTime, Retention: retention, SecureCookies: opts.SecureCookie,
		ProxyUserHeader: opts.ProxyUserHeader, TrustedProxies: proxies,
		Version: shortVersion(), Log: logger,
	})
	if err != nil {
		return usageError("%v", err)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return usageError("--listen %s: %v", opts.Listen, err)
	}
	scheme := "http"
	if opts.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(opts.IO.ErrOut, "mailcheck serve: listening on %s://%s/ (%d staff account(s))\n", scheme, ln.Addr(), users.Len())
	if opts.ready != nil {
		opts.ready(ln.Addr().String())
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := srv.Serve(ctx, ln, opts.TLSCert, opts.TLSKey); err != nil {
		return &ExitError{Code: ExitProblems, Err: fmt.Errorf("serve: %v", err)}
	}
	return nil
}

// serveUserOptions are the arguments of `mailcheck serve user add`.
type serveUserOptions struct {
	IO        *IOStreams
	UsersFile string
}

func newCmdServeUser(ios *IOStreams) *cobra.Command {
	user := &cobra.Command{Use: "user", Short: "Manage the staff accounts of the web page", Args: cobra.NoArgs}
	opts := &serveUserOptions{IO: ios}
	add := &cobra.Command{
		Use:   "add NAME --users FILE",
		Short: "Add a staff account or set its password (read from the terminal or the first line of stdin)",
		Long: `Add a staff account to the accounts file (created with mode 0600 when missing), or set the password
of an existing one. The password is read from the terminal (twice, without echo) or from the first line of
standard input, never from the command line; at least 8 and at most 72 bytes. It is stored as a bcrypt hash
(cost 12). Exit codes: 0 done; 2 bad usage, a bad name or password, or a file that cannot be written.`,
		Example: `  mailcheck serve user add alice --users /etc/mailcheck/staff
  printf '%s\n' "$PASSWORD" | mailcheck serve user add bob --users staff`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if opts.UsersFile == "" {
				return usageError("--users FILE is required")
			}
			if err := web.ValidUserName(args[0]); err != nil {
				return usageError("%v", err)
			}
			pw, err := readNewPassword(opts.IO, "Password for "+args[0]+": ")
			if err != nil {
				return usageError("reading the password: %v", err)
			}
			if err := web.AddUser(opts.UsersFile, args[0], pw); err != nil {
				return usageError("%v", err)
			}
			fmt.Fprintf(opts.IO.ErrOut, "mailcheck: account %s saved in %s\n", args[0], opts.UsersFile)
			return nil
		},
	}
	add.Flags().StringVar(&opts.UsersFile, "users", "", "the accounts `FILE` (created when missing)")
	user.AddCommand(add)
	return user
}

// readNewPassword asks twice on a terminal (a typo would lock the account's owner out); from a pipe or
// file it reads the first line of ios.In once, bounded like a password file.
func readNewPassword(ios *IOStreams, prompt string) (string, error) {
	if !ios.InTTY {
		line, err := bufio.NewReader(io.LimitReader(ios.In, maxSecretFile)).ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return "", fmt.Errorf("no password on standard input")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	pw, err := promptPassword(prompt)
	if err != nil {
		return "", err
	}
	again, err := promptPassword("Again: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", fmt.Errorf("the two passwords differ")
	}
	return pw, nil
}

// dbPasswordInArgs says whether a --db PostgreSQL URL or keyword string carries a password.
func dbPasswordInArgs(db string) bool {
	if u, err := url.Parse(db); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		_, has := u.User.Password()
		return has || u.Query().Has("password")
	}
	return strings.Contains(strings.ToLower(db), "password=")
}
