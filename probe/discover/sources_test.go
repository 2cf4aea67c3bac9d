package discover

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/gosource"
)

// sourceConstants are the string constants of this package declared in a const block whose comment says
// it lists source names: every source a Lookup or an endpoint can carry.
func sourceConstants(t *testing.T) map[string]string {
	t.Helper()
	files, err := gosource.Files(".", parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST || g.Doc == nil || !strings.HasPrefix(g.Doc.Text(), "Source names") {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("source constant %s is not a string literal", name.Name)
					}
					v, _ := strconv.Unquote(lit.Value)
					out[name.Name] = v
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("found no source constants")
	}
	return out
}

// TestEverySourceHasARow: a source name without its registry row would be ranked, trusted and worded by
// accident; every row is complete.
func TestEverySourceHasARow(t *testing.T) {
	names := map[string]bool{}
	for ident, name := range sourceConstants(t) {
		names[name] = true
		if _, ok := Source(name); !ok {
			t.Errorf("source %s (%q) has no row in Sources", ident, name)
		}
	}
	for i, row := range Sources {
		if !names[row.Name] {
			t.Errorf("row %q is not a declared source name (declare its constant under a comment that starts with \"Source names\")", row.Name)
		}
		if Rank(row.Name) != i {
			t.Errorf("row %q appears twice", row.Name)
		}
		if row.Label == "" || row.PublishedIn == "" || row.NamedBy == "" {
			t.Errorf("row %q lacks its wording", row.Name)
		}
		if row.VouchesOutside == (row.ForgedBy != "") {
			t.Errorf("row %q: a source that vouches for nothing outside the domain says how it can be forged, and only such a source", row.Name)
		}
		if row.Forgeable && row.VouchesOutside {
			t.Errorf("row %q: a forgeable source vouches for nothing", row.Name)
		}
	}
}

func TestUnknownSource(t *testing.T) {
	if _, ok := Source("no-such-source"); ok {
		t.Error("Source knows an unknown name")
	}
	if Rank("no-such-source") != len(Sources) || Rank(Explicit) != 0 {
		t.Error("an unknown source must rank after every known one")
	}
	if !Forgeable("no-such-source") {
		t.Error("an unknown source must be forgeable")
	}
}
