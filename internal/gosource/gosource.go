// Package gosource reads a package's own Go files, for the tests that keep mailcheck's layout rules (which
// packages report/ imports, which source names have a registry row).
package gosource

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// Files parses the non-test .go files of dir with mode, keyed by file name.
func Files(dir string, mode parser.Mode) (map[string]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	out := map[string]*ast.File{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, mode)
		if err != nil {
			return nil, err
		}
		out[e.Name()] = f
	}
	return out, nil
}
