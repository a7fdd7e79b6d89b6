package cycles_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/testutil"
)

// TestCategoriesResolve checks the presets and the list rules.
func TestCategoriesResolve(t *testing.T) {
	cases := []struct {
		name string
		in   cycles.CategoriesInput
		want []string
		err  string
	}{
		{"Jiangxi", cycles.CategoriesInput{Preset: "jiangxi"}, []string{"党政综合类", "经济发展类", "执法监督类", "社会服务类", "人民团体和民主党派类", "中央驻赣类"}, ""},
		{"Zhongshan", cycles.CategoriesInput{Preset: "zhongshan"}, []string{"经济管理服务", "社会管理服务", "综合管理服务"}, ""},
		{"Fuxin", cycles.CategoriesInput{Preset: "fuxin"}, []string{"系列Ⅰ", "系列Ⅱ", "系列Ⅲ"}, ""},
		{"list trimmed, blanks dropped", cycles.CategoriesInput{Categories: []string{" 乡镇 ", "", "县直部门"}}, []string{"乡镇", "县直部门"}, ""},
		{"unknown preset", cycles.CategoriesInput{Preset: "harbin"}, nil, "没有这个预设类别"},
		{"both", cycles.CategoriesInput{Preset: "fuxin", Categories: []string{"乡镇"}}, nil, "只能提交其中一项"},
		{"empty", cycles.CategoriesInput{Categories: []string{" "}}, nil, "请至少填写一个单位类别"},
		{"duplicate", cycles.CategoriesInput{Categories: []string{"乡镇", "乡镇"}}, nil, "类别“乡镇”重复"},
		{"comma", cycles.CategoriesInput{Categories: []string{"乡镇、街道"}}, nil, "不能含逗号"},
		{"too long", cycles.CategoriesInput{Categories: []string{strings.Repeat("类", 31)}}, nil, "不能超过30字"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.in.Resolve()
			if c.err != "" {
				if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.From(err).Message, c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

// TestCategoriesSeeding: the environment seeds a cycle without categories
// (migrate) and the first new cycle; a later cycle copies the newest one;
// units may be registered under any cycle's categories.
func TestCategoriesSeeding(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	env := []string{"党政综合类", "经济发展类"}
	create := func(name string, year int, seed bool) cycles.Cycle {
		t.Helper()
		var cy cycles.Cycle
		err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
			in := cycles.CycleInput{Name: name, Year: year, PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}
			cy, err = cycles.CreateCycle(ctx, tx, audit.System, in, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
			if err == nil && seed {
				err = cycles.SeedNewCycle(ctx, tx, cy.ID, env)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cy, err = cycles.FindCycle(ctx, pool, cy.ID)
		if err != nil {
			t.Fatal(err)
		}
		return cy
	}
	old := create("2024年度", 2024, false)
	if old.Categories != nil {
		t.Fatalf("a cycle made outside the app has categories %v", old.Categories)
	}
	if got, _ := cycles.Categories(ctx, pool, old.ID, env); !slices.Equal(got, env) {
		t.Fatalf("fallback categories %v", got)
	}
	if err := cycles.SeedCategories(ctx, pool, env); err != nil {
		t.Fatal(err)
	}
	if got, _ := cycles.Categories(ctx, pool, old.ID, nil); !slices.Equal(got, env) {
		t.Fatalf("migrated categories %v", got)
	}
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		_, _, err := cycles.SetCategories(ctx, tx, audit.System, old.ID, cycles.CategoriesInput{Preset: "zhongshan", ConfirmRemove: true}, env)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	next := create("2025年度", 2025, true)
	if !slices.Equal(next.Categories, []string{"经济管理服务", "社会管理服务", "综合管理服务"}) {
		t.Fatalf("the new cycle copied %v", next.Categories)
	}
	known, err := cycles.KnownCategories(ctx, pool, env)
	if err != nil || !slices.Equal(known, []string{"经济管理服务", "社会管理服务", "综合管理服务"}) {
		t.Fatalf("known categories %v %v", known, err)
	}
	if _, err := cycles.Categories(ctx, pool, next.ID+99, env); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown cycle: %v", err)
	}
}
