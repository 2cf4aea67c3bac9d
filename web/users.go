package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Staff accounts live in a file of "NAME:BCRYPT-HASH" lines, managed by `mailcheck serve user add`.
// bcrypt (golang.org/x/crypto) rather than a home-made scheme: it is salted, deliberately slow, its hash
// names its own cost, and its comparison takes constant time.

// BcryptCost is the work factor of new hashes: about a quarter of a second on a small server, which is
// what a sign-in may cost and what makes guessing a stolen file's passwords expensive.
const BcryptCost = 12

// MaxPasswordBytes is bcrypt's limit: it ignores everything after 72 bytes, so longer passwords are
// refused rather than silently cut.
const MaxPasswordBytes = 72

// maxUsersFile bounds the accounts file read at start-up.
const maxUsersFile = 1 << 20

var userName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ErrBadUserName is a name that is not 1 to 64 letters, digits, '.', '_', '@' or '-'.
var ErrBadUserName = errors.New("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")

// Users are the staff accounts, by name. Safe for concurrent use.
type Users struct {
	mu     sync.RWMutex
	hashes map[string][]byte
}

// dummyHash is compared against when the name is unknown, so that a sign-in takes as long for a name
// that does not exist as for a wrong password (no user enumeration by timing).
var (
	dummyOnce sync.Once
	dummyHash []byte
)

// bcryptCost is BcryptCost; tests lower it to keep the race detector's runs short.
var bcryptCost = BcryptCost

func dummy() []byte {
	dummyOnce.Do(func() { dummyHash, _ = bcrypt.GenerateFromPassword([]byte("mailcheck: no such user"), bcryptCost) })
	return dummyHash
}

// LoadUsers reads an accounts file. A missing file is an error: serve without accounts would let nobody in.
func LoadUsers(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--users %s: %v (create it with `mailcheck serve user add NAME --users %s`)", path, errors.Unwrap(err), path)
	}
	defer f.Close()
	return parseUsers(io.LimitReader(f, maxUsersFile))
}

func parseUsers(r io.Reader) (*Users, error) {
	u := &Users{hashes: map[string][]byte{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hash, ok := strings.Cut(line, ":")
		if !ok || !userName.MatchString(name) {
			return nil, fmt.Errorf("accounts file line %d: not NAME:HASH", n)
		}
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("accounts file line %d (%s): not a bcrypt hash", n, name)
		}
		u.hashes[name] = []byte(hash)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("accounts file: %v", err)
	}
	return u, nil
}

// Verify says whether password is name's. It costs one bcrypt comparison whether or not name exists.
func (u *Users) Verify(name, password string) bool {
	u.mu.RLock()
	h, ok := u.hashes[name]
	u.mu.RUnlock()
	if !ok {
		h = dummy()
	}
	err := bcrypt.CompareHashAndPassword(h, []byte(password))
	return ok && err == nil
}

// Len is the number of accounts.
func (u *Users) Len() int {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return len(u.hashes)
}

// AddUser sets name's password in the accounts file at path (created with mode 0600 when missing),
// replacing the file whole through a temporary file in the same directory.
func AddUser(path, name, password string) error {
	if !userName.MatchString(name) {
		return ErrBadUserName
	}
	if len(password) < 8 {
		return errors.New("the password must be at least 8 characters")
	}
	if len(password) > MaxPasswordBytes {
		return fmt.Errorf("the password must be at most %d bytes (bcrypt ignores the rest)", MaxPasswordBytes)
	}
	users := &Users{hashes: map[string][]byte{}}
	if b, err := os.ReadFile(path); err == nil {
		if users, err = parseUsers(bytes.NewReader(b)); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return err
	}
	users.hashes[name] = h
	names := make([]string, 0, len(users.hashes))
	for n := range users.hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	buf.WriteString("# mailcheck serve staff accounts: NAME:BCRYPT-HASH, managed by `mailcheck serve user add`\n")
	for _, n := range names {
		fmt.Fprintf(&buf, "%s:%s\n", n, users.hashes[n])
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mailcheck-users-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ValidUserName refuses a name the accounts file cannot hold, before a password is asked for.
func ValidUserName(name string) error {
	if !userName.MatchString(name) {
		return ErrBadUserName
	}
	return nil
}

// Has says whether name is an account. Sign-in logs name a failed attempt's user only when it is one: a
// password typed into the name field must not end up in the log.
func (u *Users) Has(name string) bool {
	u.mu.RLock()
	defer u.mu.RUnlock()
	_, ok := u.hashes[name]
	return ok
}
