package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, for a team that runs one
	_ "modernc.org/sqlite"             // pure Go SQLite: the binary stays static (CGO off)
)

// Result is one finished probe as the database keeps it: what was asked, by whom, the verdict and the
// renderings shown on its permanent page. It never holds a password or token: probes are given them
// through probe.Credentials only, and every rendering is of the report, whose transcripts are redacted.
type Result struct {
	// ID is 128 random bits in hex: the permanent link, unguessable.
	ID      string
	User    string
	Target  string
	Domain  string
	Status  string
	Created time.Time
	// Summary is the page's top (verdict, settings, problems) as JSON (summary.go).
	Summary string
	// Markdown is the ticket block (report.Markdown).
	Markdown string
	// Details is the full text report, shown folded.
	Details string
}

// migrations are the schema, in order; schema_migrations records how many ran. The SQL is portable
// (TEXT, BIGINT, no SQLite-only syntax) so that the same list can serve PostgreSQL.
var migrations = []string{
	`CREATE TABLE results (
		id TEXT PRIMARY KEY,
		username TEXT NOT NULL,
		target TEXT NOT NULL,
		domain TEXT NOT NULL,
		status TEXT NOT NULL,
		created BIGINT NOT NULL,
		summary TEXT NOT NULL,
		markdown TEXT NOT NULL,
		details TEXT NOT NULL
	)`,
	`CREATE INDEX results_created ON results (created)`,
	`CREATE INDEX results_domain ON results (domain)`,
}

// Store is the results database.
type Store struct {
	db *sql.DB
}

// OpenStore opens the results database and brings its schema up to date: a SQLite file (created with
// mode 0600 when missing), or PostgreSQL when path is a postgres:// or postgresql:// URL (the same schema
// and queries: the SQL is kept portable).
func OpenStore(ctx context.Context, path string) (*Store, error) {
	var (
		db   *sql.DB
		err  error
		name = path
	)
	switch {
	case strings.HasPrefix(path, "postgres://"), strings.HasPrefix(path, "postgresql://"):
		name = redactDSN(path)
		db, err = sql.Open("pgx", path)
	case strings.Contains(path, "://"):
		return nil, fmt.Errorf("--db %s: give a SQLite file or a postgres:// URL", path)
	default:
		// Created by us with mode 0600: it holds no secret, but who checked which domain is nobody else's business.
		if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		} else if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("--db %s: %v", path, errors.Unwrap(err))
		}
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
		if err == nil {
			db.SetMaxOpenConns(1) // SQLite has one writer; one connection keeps it simple and safe
		}
	}
	if err != nil {
		return nil, fmt.Errorf("--db %s: %v", name, err)
	}
	s := &Store{db: db}
	mctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.migrate(mctx); err != nil {
		db.Close()
		// One line: pgx's connection errors span several.
		return nil, fmt.Errorf("--db %s: %s", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	return s, nil
}

// redactDSN hides the password of a postgres:// URL, for errors.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return err
	}
	if n > len(migrations) {
		return fmt.Errorf("the database's schema (version %d) is newer than this mailcheck's (%d)", n, len(migrations))
	}
	for i := n; i < len(migrations); i++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %v", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, i+1); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// NewID is a random 128-bit identifier in hex.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// Save stores r.
func (s *Store) Save(ctx context.Context, r *Result) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO results (id, username, target, domain, status, created, summary, markdown, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.User, r.Target, r.Domain, r.Status, r.Created.UnixMilli(), r.Summary, r.Markdown, r.Details)
	return err
}

// ErrNotFound is an ID the database does not hold (never was, or expired).
var ErrNotFound = errors.New("no such result (it may have passed the retention period)")

// Get returns the result with that ID.
func (s *Store) Get(ctx context.Context, id string) (*Result, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, username, target, domain, status, created, summary, markdown, details
		FROM results WHERE id = $1`, id)
	r, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return r, err
}

type scanner interface{ Scan(...any) error }

func scan(row scanner) (*Result, error) {
	var r Result
	var created int64
	if err := row.Scan(&r.ID, &r.User, &r.Target, &r.Domain, &r.Status, &created, &r.Summary, &r.Markdown, &r.Details); err != nil {
		return nil, err
	}
	r.Created = time.UnixMilli(created)
	return &r, nil
}

// List returns the newest results, at most limit: of one user when user is set, for one domain (and the
// names below it) when domain is set.
func (s *Store) List(ctx context.Context, user, domain string, limit int) ([]*Result, error) {
	q := `SELECT id, username, target, domain, status, created, '', '', '' FROM results WHERE 1=1`
	var args []any
	if user != "" {
		args = append(args, user)
		q += fmt.Sprintf(" AND username = $%d", len(args))
	}
	if domain != "" {
		args = append(args, domain, "%."+likeEscape(domain))
		q += fmt.Sprintf(` AND (domain = $%d OR domain LIKE $%d ESCAPE '\')`, len(args)-1, len(args))
	}
	args = append(args, limit)
	q += fmt.Sprintf(" ORDER BY created DESC LIMIT $%d", len(args))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Result
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Prune deletes the results created before cutoff (the retention period) and says how many.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM results WHERE created < $1`, cutoff.UnixMilli())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
