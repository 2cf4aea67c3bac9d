//go:build e2epostgres

package web_test

import (
	"os"
	"testing"
)

// TestStoreOnPostgres runs the results store's checks on a real PostgreSQL: make e2e starts one and sets
// MAILCHECK_TEST_POSTGRES to an empty database (see e2e/README.md). Under this build tag a missing database
// is a failure, not a skip.
func TestStoreOnPostgres(t *testing.T) {
	dsn := os.Getenv("MAILCHECK_TEST_POSTGRES")
	if dsn == "" {
		t.Fatal("MAILCHECK_TEST_POSTGRES is not set: run it through make e2e, or see e2e/README.md")
	}
	testStore(t, dsn)
}
