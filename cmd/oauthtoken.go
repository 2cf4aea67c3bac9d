package cmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/internal/smallfile"
	"github.com/mailcheck/mailcheck/probe"
)

// OAuthTokenEnv is the environment variable that carries an OAuth2 access token (never a flag).
const OAuthTokenEnv = "MAILCHECK_OAUTH_TOKEN"

// maxToken bounds what is read from a token file or helper command; real access tokens are a few
// kilobytes at most.
const maxToken = 64 << 10

// tokenCommandTimeout bounds a token helper (a cloud CLI may sign in first).
const tokenCommandTimeout = 2 * time.Minute

// oauthFlags are the OAuth2 token sources of probe, send and check.
type oauthFlags struct {
	OAuthTokenFile    string
	OAuthTokenCommand string
	OAuthMechanism    string

	// maxTime is the command's --max-time flag, which bounds reading the secret files too.
	maxTime *pflag.Flag
}

// defaultSecretDeadline bounds reading a secret file in a command without --max-time.
const defaultSecretDeadline = 30 * time.Second

// readDeadline is when reading a secret file must be done: the run's --max-time from now (the run starts
// after the credentials are read; a file slower than that could not serve it anyway).
func (f *oauthFlags) readDeadline() time.Time {
	d := defaultSecretDeadline
	if f.maxTime != nil {
		if v, err := time.ParseDuration(f.maxTime.Value.String()); err == nil && v > 0 {
			d = v
		}
	}
	return time.Now().Add(d)
}

func (f *oauthFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.OAuthTokenFile, "oauth-token-file", "", "log in with the OAuth2 access token on the first line of this file (also $"+OAuthTokenEnv+")")
	fs.StringVar(&f.OAuthTokenCommand, "oauth-token-command", "", "log in with the OAuth2 access token this shell command prints on its first line of stdout")
	fs.StringVar(&f.OAuthMechanism, "oauth-mechanism", "", "force the OAuth2 login mechanism: xoauth2 or oauthbearer (default: what the server offers, OAUTHBEARER first)")
	f.maxTime = fs.Lookup("max-time") // registered before, by probeFlags
}

// token returns the access token from the first source given: file, command, environment; "" when none.
func (f *oauthFlags) token(ios *IOStreams) (string, error) {
	switch strings.ToLower(f.OAuthMechanism) {
	case "", "xoauth2", "oauthbearer":
	default:
		return "", usageError("--oauth-mechanism must be xoauth2 or oauthbearer, not %q", f.OAuthMechanism)
	}
	switch {
	case f.OAuthTokenFile != "" && f.OAuthTokenCommand != "":
		return "", usageError("give --oauth-token-file or --oauth-token-command, not both")
	case f.OAuthTokenFile != "":
		return readTokenFile(ios, "--oauth-token-file", f.OAuthTokenFile, f.readDeadline())
	case f.OAuthTokenCommand != "":
		limit := min(tokenCommandTimeout, time.Until(f.readDeadline()))
		return runTokenCommand(ios, f.OAuthTokenCommand, limit)
	case ios.Getenv(OAuthTokenEnv) != "":
		return strings.TrimSpace(ios.Getenv(OAuthTokenEnv)), nil
	}
	if f.OAuthMechanism != "" {
		return "", usageError("--oauth-mechanism needs a token: set %s, --oauth-token-file or --oauth-token-command", OAuthTokenEnv)
	}
	return "", nil
}

// readTokenFile reads a token or client secret from the first line of a file, as readSecretFile reads a
// password: a regular file only, by deadline, with a warning when others may read it, the path never in
// an error.
func readTokenFile(ios *IOStreams, flag, path string, deadline time.Time) (string, error) {
	b, info, err := smallfile.ReadBy(path, maxToken, deadline)
	var tooLarge *smallfile.TooLargeError
	if errors.As(err, &tooLarge) {
		return "", usageError("%s: more than %d bytes, which is no access token", flag, maxToken)
	}
	if errors.Is(err, smallfile.ErrTimeout) {
		return "", usageError("%s: %v (within --max-time)", flag, err)
	}
	if err != nil {
		return "", usageError("%s: %v", flag, err)
	}
	token, err := firstLine(bytes.NewReader(b), flag)
	if err != nil {
		return "", err
	}
	warnReadable(ios, flag, path, info)
	return token, nil
}

// firstLine reads the token on the first line of r, bounded, and refuses an empty one.
func firstLine(r io.Reader, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxToken+1))
	if err != nil {
		return "", usageError("%s: %v", what, err)
	}
	if len(b) > maxToken {
		return "", usageError("%s: more than %d bytes, which is no access token", what, maxToken)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	token := strings.TrimSpace(line)
	if token == "" {
		return "", usageError("%s: the first line is empty", what)
	}
	if strings.ContainsAny(token, "\x00\x01 \t") {
		return "", usageError("%s: the first line is not a single access token", what)
	}
	return token, nil
}

// runTokenCommand runs a token helper with the shell, as git runs credential helpers: its stdout's first
// line is the token, its stderr is shown to the user (it may ask them to sign in), stdin stays closed.
// The helper runs in a process group of its own, which is killed whole when limit passes or mailcheck is
// interrupted (SIGINT, SIGTERM): cloud CLIs used as helpers start children that keep stdout open, and
// killing only the shell would leave them running and mailcheck waiting for their output.
func runTokenCommand(ios *IOStreams, command string, limit time.Duration) (string, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runTokenCommandIn(ctx, ios, command, limit)
}

// runTokenCommandIn is runTokenCommand under ctx (which tests cancel in place of a signal).
func runTokenCommandIn(ctx context.Context, ios *IOStreams, command string, limit time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	ownProcessGroup(c)
	// Once the group is killed, stop waiting for output a leftover process may still hold open.
	c.WaitDelay = time.Second
	var out bytes.Buffer
	c.Stdout = &limitedWriter{w: &out, n: maxToken + 1}
	c.Stderr = ios.ErrOut
	if c.Stderr == nil {
		c.Stderr = io.Discard
	}
	err := c.Run()
	var exit *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", usageError("--oauth-token-command did not finish within %v (the limit is --max-time, at most %v); it was stopped with its child processes", limit, tokenCommandTimeout)
	case ctx.Err() != nil:
		return "", usageError("--oauth-token-command was interrupted; it was stopped with its child processes")
	case errors.Is(err, exec.ErrWaitDelay):
		// The helper exited successfully but left a process holding its output open: what it printed
		// before exiting is the answer, and the leftovers of its group are stopped.
		_ = c.Cancel()
	case errors.As(err, &exit):
		return "", usageError("--oauth-token-command failed (%v); its messages are above", exit)
	case err != nil:
		return "", usageError("--oauth-token-command: %v", err)
	}
	return firstLine(&out, "--oauth-token-command output")
}

// limitedWriter keeps at most n bytes and discards the rest, so a runaway helper cannot fill memory.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(b []byte) (int, error) {
	if l.n > 0 {
		k := min(len(b), l.n)
		l.n -= k
		if _, err := l.w.Write(b[:k]); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// tokenCredentials are the credentials of a token login; a password source given as well is an error,
// since only one of them can be tested.
func (f *credentialFlags) tokenCredentials(ios *IOStreams, user, token string) (*probe.Credentials, error) {
	if f.PasswordFile != "" || ios.Getenv(PasswordEnv) != "" {
		return nil, usageError("both a password (%s or --password-file) and an OAuth2 token were given: test one at a time", PasswordEnv)
	}
	if f.AllowPlaintextAuth {
		return nil, usageError("--allow-plaintext-auth does not apply to OAuth2 tokens: a token is sent only over TLS with a valid certificate")
	}
	if user == "" {
		return nil, usageError("an OAuth2 token was given but no login name: use --user ADDRESS")
	}
	if err := probe.ValidUser(user); err != nil {
		return nil, usageError("--user: %v", err)
	}
	return &probe.Credentials{User: user, Token: token, OAuthMechanism: strings.ToUpper(f.OAuthMechanism)}, nil
}
