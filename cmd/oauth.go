package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mailcheck/mailcheck/internal/outfile"
	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe"
)

// Environment variables of `mailcheck oauth` (the client secret never goes on the command line).
const (
	OAuthClientIDEnv     = "MAILCHECK_OAUTH_CLIENT_ID"
	OAuthClientSecretEnv = "MAILCHECK_OAUTH_CLIENT_SECRET"
)

// OAuthOptions are the parsed arguments of `mailcheck oauth`.
type OAuthOptions struct {
	IO       *IOStreams
	Provider string
	User     string
	ClientID string
	// ClientSecretFile holds Google's client secret on its first line (or $MAILCHECK_OAUTH_CLIENT_SECRET).
	ClientSecretFile string
	Tenant           string
	Out              string
	Timeout          time.Duration

	// httpClient and endpoint replace the provider's in tests (a fake authorization server on loopback).
	httpClient *http.Client
	endpoint   *probe.OAuthProvider
}

// NewCmdOAuth builds `mailcheck oauth`; runF replaces runOAuth in tests.
func NewCmdOAuth(ios *IOStreams, runF func(*OAuthOptions) error) *cobra.Command {
	opts := &OAuthOptions{IO: ios}
	c := &cobra.Command{
		Use:   "oauth (microsoft | google) --user ADDRESS --client-id ID",
		Short: "Get an OAuth2 access token for IMAP, POP3 and SMTP with the device sign-in (RFC 8628)",
		Long: `Get an OAuth2 access token for testing IMAP, POP3 and SMTP logins, through the OAuth 2.0 device
authorization grant (RFC 8628): mailcheck prints a web address and a code on stderr, you open the
address on any device, sign in as ADDRESS and enter the code, and mailcheck prints the access token on
stdout (or writes it to --out, mode 0600). Nothing is stored anywhere else; the refresh token is not kept.

Scopes: Microsoft IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send (on https://outlook.office.com)
and offline_access; Google https://mail.google.com/.

The client ID is that of an application registered with the provider (see README "OAuth2 logins").

Exit codes: 0 token obtained; 1 the sign-in failed or was declined; 2 bad usage.`,
		Example: `  mailcheck oauth microsoft --user alice@example.com --client-id 00000000-0000-0000-0000-000000000000 --out token
  MAILCHECK_OAUTH_TOKEN=$(mailcheck oauth microsoft --user alice@example.com --tenant example.com --client-id ID) \
    mailcheck probe alice@example.com`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("oauth needs the provider: microsoft or google (see 'mailcheck oauth --help')")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Provider = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runOAuth(c.Context(), opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&opts.User, "user", "", "the mailbox address to sign in as (required)")
	fs.StringVar(&opts.ClientID, "client-id", "", "client ID of the registered application (default $"+OAuthClientIDEnv+")")
	fs.StringVar(&opts.ClientSecretFile, "client-secret-file", "", "Google: file with the client secret on its first line (default $"+OAuthClientSecretEnv+")")
	fs.StringVar(&opts.Tenant, "tenant", "common", "Microsoft: the tenant, as a domain (example.com), a tenant ID, organizations or consumers")
	fs.StringVar(&opts.Out, "out", "", "write the access token to this file (mode 0600) instead of stdout")
	fs.DurationVar(&opts.Timeout, "timeout", 15*time.Minute, "give up when the sign-in is not done within this time")
	return c
}

func runOAuth(ctx context.Context, opts *OAuthOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	provider, ok := probe.OAuthProviders[strings.ToLower(opts.Provider)]
	if !ok {
		return usageError("unknown provider %q: use microsoft or google", opts.Provider)
	}
	if opts.endpoint != nil {
		provider = *opts.endpoint
	}
	if _, _, err := probe.ParseTarget(opts.User); err != nil || !strings.Contains(opts.User, "@") {
		return usageError("--user needs the mailbox address to sign in as, e.g. --user alice@example.com")
	}
	clientID := opts.ClientID
	if clientID == "" {
		clientID = strings.TrimSpace(opts.IO.Getenv(OAuthClientIDEnv))
	}
	if clientID == "" {
		return usageError("--client-id is needed: the ID of an application registered with %s for mail access (see README \"OAuth2 logins\"), or set %s", opts.Provider, OAuthClientIDEnv)
	}
	secret := strings.TrimSpace(opts.IO.Getenv(OAuthClientSecretEnv))
	if opts.ClientSecretFile != "" {
		var err error
		if secret, err = readTokenFile(opts.IO, "--client-secret-file", opts.ClientSecretFile, time.Now().Add(defaultSecretDeadline)); err != nil {
			return err
		}
	}
	if provider.NeedsSecret && secret == "" {
		return usageError("%s needs the client secret of the registration: --client-secret-file FILE or %s", opts.Provider, OAuthClientSecretEnv)
	}
	if opts.Timeout <= 0 {
		return usageError("--timeout must be positive, e.g. 15m")
	}
	if opts.Out != "" {
		if fi, err := os.Stat(filepath.Dir(opts.Out)); err != nil || !fi.IsDir() {
			return usageError("--out %s: the directory does not exist", opts.Out)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	tok, err := probe.DeviceLogin(ctx, probe.DeviceLoginRequest{
		Provider: provider, User: opts.User, ClientID: clientID, ClientSecret: secret, Tenant: opts.Tenant,
		HTTPClient: opts.httpClient,
		Prompt: func(verify, code string) {
			fmt.Fprintf(opts.IO.ErrOut, "To sign in as %s, open %s and enter the code %s\nWaiting for the sign-in (at most %v)…\n",
				termsafe.String(opts.User), termsafe.String(verify), termsafe.String(code), opts.Timeout)
		},
	})
	var dle *probe.DeviceLoginError
	if errors.As(err, &dle) {
		p := dle.Problem
		return &ExitError{Code: ExitProblems, Err: fmt.Errorf("%s [%s: %s]. %s", p.Summary, p.Code, p.Title(), p.Fix)}
	}
	if err != nil {
		return &ExitError{Code: ExitProblems, Err: err}
	}
	if err := writeToken(opts, tok.AccessToken); err != nil {
		return err
	}
	note := "Got an access token"
	if !tok.Expiry.IsZero() {
		note += fmt.Sprintf(", valid until %s", tok.Expiry.UTC().Format("15:04 MST"))
	}
	if len(tok.Scopes) > 0 {
		note += " for " + strings.Join(tok.Scopes, " ")
	}
	if opts.Out != "" {
		note += "; written to " + opts.Out
	}
	fmt.Fprintln(opts.IO.ErrOut, termsafe.String(note)+".") // the scopes are the provider's words
	return nil
}

// writeToken prints the token or writes it to --out: a new file of mode 0600 in the same directory,
// renamed over the target (outfile), so the token is never readable by others even for a moment and a
// symbolic link at the path is replaced, never followed.
func writeToken(opts *OAuthOptions, token string) error {
	if opts.Out == "" {
		_, err := fmt.Fprintln(opts.IO.Out, token)
		return err
	}
	f, err := outfile.Create(opts.Out, 0o600)
	if err != nil {
		return &ExitError{Code: ExitProblems, Err: fmt.Errorf("--out: %v", err)}
	}
	defer f.Abort()
	if _, err := f.WriteString(token + "\n"); err != nil {
		return &ExitError{Code: ExitProblems, Err: fmt.Errorf("--out: %v", err)}
	}
	if err := f.Commit(); err != nil {
		return &ExitError{Code: ExitProblems, Err: fmt.Errorf("--out: %v", err)}
	}
	return nil
}
