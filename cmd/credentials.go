package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/mailcheck/mailcheck/internal/smallfile"
	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe"
)

// maxSecretFile bounds what is read of a password file: its first line, a few bytes in practice.
const maxSecretFile = 64 << 10

// PasswordEnv is the environment variable that carries the password (never a flag: argv is visible to
// every user of the machine through ps and /proc).
const PasswordEnv = "MAILCHECK_PASSWORD"

// credentialFlags are the login flags of probe, send and check.
type credentialFlags struct {
	User               string
	PasswordFile       string
	AllowPlaintextAuth bool
	oauthFlags

	// readPassword reads a password from the terminal without echo; replaced in tests.
	readPassword func(prompt string) (string, error)
}

func (f *credentialFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.User, "user", "", "login name to test (default: the address probed); the password comes from $"+PasswordEnv+", --password-file or a prompt")
	fs.StringVar(&f.PasswordFile, "password-file", "", "read the password from the first line of this file")
	fs.BoolVar(&f.AllowPlaintextAuth, "allow-plaintext-auth", false, "also send the password over connections probed in clear text on purpose (--starttls no, a plain URL); never where STARTTLS was missing or failed")
	f.oauthFlags.register(fs)
}

// credentials returns the login to test, or nil when none was asked for. defaultUser is the address the
// user probes, if any. A login is tested when a password source exists or --user asks for one.
func (f *credentialFlags) credentials(ios *IOStreams, defaultUser string) (*probe.Credentials, error) {
	user := f.User
	if user == "" {
		user = defaultUser
	}
	token, err := f.token(ios)
	if err != nil {
		return nil, err
	}
	if token != "" {
		return f.tokenCredentials(ios, user, token)
	}
	var password string
	switch {
	case f.PasswordFile != "":
		line, err := smallfile.FirstLine(f.PasswordFile, maxSecretFile)
		if err != nil {
			return nil, usageError("--password-file: %v", err)
		}
		password = line
	case ios.Getenv(PasswordEnv) != "":
		password = ios.Getenv(PasswordEnv)
	case f.User != "":
		if !ios.InTTY {
			return nil, usageError("--user %s needs a password: set %s or use --password-file (no terminal to prompt on)", f.User, PasswordEnv)
		}
		read := f.readPassword
		if read == nil {
			read = promptPassword
		}
		if password, err = read(fmt.Sprintf("Password for %s: ", termsafe.String(user))); err != nil {
			return nil, usageError("reading the password: %v", err)
		}
	default:
		return nil, nil
	}
	if user == "" {
		return nil, usageError("a password was given but no login name: use --user NAME")
	}
	return &probe.Credentials{User: user, Password: password, AllowPlaintext: f.AllowPlaintextAuth}, nil
}

// promptPassword reads a password on the terminal without echo.
func promptPassword(prompt string) (string, error) {
	fmt.Fprint(os.Stderr, prompt)
	defer fmt.Fprintln(os.Stderr)
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		b, err := term.ReadPassword(fd)
		return string(b), err
	}
	// Not a terminal (a pipe): the first line, bounded like a password file.
	line, err := bufio.NewReader(io.LimitReader(os.Stdin, maxSecretFile)).ReadString('\n')
	if err == io.EOF && len(line) == maxSecretFile {
		return "", fmt.Errorf("the password on standard input is longer than %d KiB", maxSecretFile>>10)
	}
	return strings.TrimRight(line, "\r\n"), err
}
