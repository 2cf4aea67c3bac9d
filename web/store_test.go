package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/web"
)

func mustAllow(t *testing.T, patterns ...string) *exporter.AllowList {
	t.Helper()
	a, err := exporter.ParseAllowList(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStoreMigratesOnceAndPrunes(t *testing.T) {
	testStore(t, filepath.Join(t.TempDir(), "r.db"))
}

// TestStoreOnPostgres runs the same checks on PostgreSQL when MAILCHECK_TEST_POSTGRES names an empty
// database (postgres://user@127.0.0.1:PORT/DB); e2e/README.md says how to start a throw-away server.
func testStore(t *testing.T, path string) {
	ctx := context.Background()
	s, err := web.OpenStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, time.Now().Add(time.Hour)); err != nil { // a database used before starts empty
		t.Fatal(err)
	}
	old := &web.Result{ID: web.NewID(), User: "alice", Target: "a.example", Domain: "a.example", Status: "ok", Created: time.Now().Add(-40 * 24 * time.Hour)}
	recent := &web.Result{ID: web.NewID(), User: "bob", Target: "mx.b.example", Domain: "b.example", Status: "fail", Created: time.Now()}
	for _, r := range []*web.Result{old, recent} {
		if err := s.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = web.OpenStore(ctx, path); err != nil { // the second open finds the schema current
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Prune(ctx, time.Now().Add(-30*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("Prune: %d, %v; want 1 deleted", n, err)
	}
	if _, err := s.Get(ctx, old.ID); err != web.ErrNotFound {
		t.Errorf("the expired result: %v, want ErrNotFound", err)
	}
	got, err := s.List(ctx, "", "b.example", 10)
	if err != nil || len(got) != 1 || got[0].ID != recent.ID {
		t.Errorf("List by domain: %v, %v", got, err)
	}
	if got, _ := s.List(ctx, "", "%", 10); len(got) != 0 {
		t.Errorf("a LIKE wildcard as the domain matched %d results", len(got))
	}
	if got, _ := s.List(ctx, "alice", "", 10); len(got) != 0 {
		t.Errorf("alice's list: %d results, want 0", len(got))
	}
}

func TestStoreFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := web.OpenStore(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("database file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	if _, err := web.OpenStore(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "r.db")); err == nil {
		t.Error("a database in a missing directory opened")
	}
}
