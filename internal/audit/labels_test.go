package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// actionLike is how an action string looks: area.verb.
var actionLike = regexp.MustCompile(`^[a-z][a-z_]*\.[a-z][a-z_]*[a-z]$`)

// TestEveryRecordedActionHasALabel reads every audit.Record call in the
// program's source and checks that the action it records has a Chinese
// label: a literal action directly; "prefix." + a constant by the
// constant's value; an action held in a variable by every action-like
// literal of the same area in that file (the values the variable is given).
// Record itself refuses an unlabelled action at run time, so what this
// cannot see statically still fails the tests that reach it.
func TestEveryRecordedActionHasALabel(t *testing.T) {
	consts := map[string]string{} // const name → value, over the program
	type site struct {
		pos  string
		arg  ast.Expr
		file *ast.File
	}
	var sites []site
	fset := token.NewFileSet()
	for _, root := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for i, name := range n.Names {
						if i < len(n.Values) {
							if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								v, _ := strconv.Unquote(lit.Value)
								consts[name.Name] = v
							}
						}
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok || sel.Sel.Name != "Record" || len(n.Args) < 4 {
						return true
					}
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "audit" {
						sites = append(sites, site{fset.Position(n.Pos()).String(), n.Args[3], f})
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(sites) < 50 {
		t.Fatalf("found %d audit.Record calls; the source walk is broken", len(sites))
	}
	areas := map[string]bool{}
	for a := range actionLabels {
		areas[strings.SplitN(a, ".", 2)[0]] = true
	}
	check := func(pos, action string) {
		if _, ok := actionLabels[action]; !ok {
			t.Errorf("%s records %q, which has no label in labels.go", pos, action)
		}
	}
	name := func(e ast.Expr) string {
		switch e := e.(type) {
		case *ast.Ident:
			return e.Name
		case *ast.SelectorExpr:
			return e.Sel.Name
		}
		return ""
	}
	for _, s := range sites {
		switch a := s.arg.(type) {
		case *ast.BasicLit:
			v, _ := strconv.Unquote(a.Value)
			check(s.pos, v)
			continue
		case *ast.BinaryExpr:
			if lit, ok := a.X.(*ast.BasicLit); ok && a.Op == token.ADD {
				prefix, _ := strconv.Unquote(lit.Value)
				if v, ok := consts[name(a.Y)]; ok {
					check(s.pos, prefix+v)
					continue
				}
				if !areas[strings.TrimSuffix(strings.SplitN(prefix, ".", 2)[0], ".")] {
					t.Errorf("%s records %q + a value, an area no label has", s.pos, prefix)
				}
				continue
			}
		}
		// A variable: every action-like literal of a known area in the
		// file is a value it may hold.
		ast.Inspect(s.file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				if actionLike.MatchString(v) && areas[strings.SplitN(v, ".", 2)[0]] {
					check(s.pos+" (a value of its action variable)", v)
				}
			}
			return true
		})
	}
}
