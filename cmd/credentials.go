package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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

	fs *pflag.FlagSet
}

func (f *credentialFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.User, "user", "", "login name to test (default: the address probed); the password comes from $"+PasswordEnv+", --password-file or a prompt")
	fs.StringVar(&f.PasswordFile, "password-file", "", "read the password from the first line of this file")
	fs.BoolVar(&f.AllowPlaintextAuth, "allow-plaintext-auth", false, "also send the password over connections probed in clear text on purpose (--starttls no, a plain URL); never where STARTTLS was missing or failed")
	f.oauthFlags.register(fs)
}

// credentials returns the login to test, or nil when none was asked for. defaultUser is the address the
// user probes, if any. A login is tested when a password source exists or --user asks for one.
func (f *credentialFlags) credentials(ios *IOStreams, defaultUser string) (*probe.Credentials, error) {
	if f.fs != nil && f.fs.Changed("user") && strings.TrimSpace(f.User) == "" {
		return nil, usageError("--user is empty: give the login name, or leave the flag out to log in as the address")
	}
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
		line, err := readSecretFile(ios, "--password-file", f.PasswordFile, f.readDeadline())
		if err != nil {
			return nil, err
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
	if err := probe.ValidUser(user); err != nil {
		return nil, usageError("--user: %v", err)
	}
	if strings.ContainsRune(password, 0) {
		// SASL PLAIN separates the login name and the password with NUL (RFC 4616): a NUL inside the
		// password would change what the server reads, and no mail client can type one.
		return nil, usageError("the password contains a NUL byte, which no login can carry: check the password source (a binary file?)")
	}
	return &probe.Credentials{User: user, Password: password, AllowPlaintext: f.AllowPlaintextAuth}, nil
}

// readSecretFile reads the secret on the first line of the file a flag names, by deadline. The file
// must be a regular file (smallfile: a named pipe or a device could keep the run waiting past its
// --max-time); one that others may read is used, with a one-line warning on stderr. Errors name the flag,
// not the path: what was typed there may be the secret itself.
func readSecretFile(ios *IOStreams, flag, path string, deadline time.Time) (string, error) {
	line, info, err := smallfile.FirstLineBy(path, maxSecretFile, deadline)
	if errors.Is(err, smallfile.ErrTimeout) {
		return "", usageError("%s: %v (within --max-time)", flag, err)
	}
	if err != nil {
		return "", usageError("%s: %v", flag, err)
	}
	warnReadable(ios, flag, path, info)
	return line, nil
}

// warnReadable warns, in one line, when the group or everyone may read a secret file (as ssh does for a
// private key, but without refusing it).
func warnReadable(ios *IOStreams, flag, path string, info smallfile.File) {
	if info.OthersCanRead() && ios.ErrOut != nil {
		fmt.Fprintf(ios.ErrOut, "mailcheck: warning: %s %s is readable by others (mode %04o): chmod 600 it\n",
			flag, termsafe.String(path), info.Mode.Perm())
	}
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
