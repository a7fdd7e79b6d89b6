package cycles

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/score"
)

var defaultPoints = []float64{100, 80, 60, 30, 0}

// fieldsOf returns the sorted field names of an invalid error, or nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e := apperr.From(err)
	if e.Code != apperr.Invalid {
		t.Fatalf("error %v, want invalid", err)
	}
	var out []string
	for k, v := range e.Fields {
		if v == "" {
			t.Errorf("field %s has an empty message", k)
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		fields []string
	}{
		{"default", func(c *Config) {}, nil},
		{"flat points", func(c *Config) { c.LevelPoints = []float64{50, 50, 50, 50, 50} }, nil},
		{"top 1000", func(c *Config) { c.LevelPoints = []float64{1000, 900, 0, 0, 0} }, nil},
		{"four points", func(c *Config) { c.LevelPoints = c.LevelPoints[:4] }, []string{"level_points"}},
		{"six points", func(c *Config) { c.LevelPoints = append(c.LevelPoints, 0) }, []string{"level_points"}},
		{"no points", func(c *Config) { c.LevelPoints = nil }, []string{"level_points"}},
		{"negative", func(c *Config) { c.LevelPoints[4] = -1 }, []string{"level_points[4]"}},
		{"over 1000", func(c *Config) { c.LevelPoints[0] = 1000.5 }, []string{"level_points[0]"}},
		{"NaN", func(c *Config) { c.LevelPoints[2] = math.NaN() }, []string{"level_points[2]"}},
		{"rising", func(c *Config) { c.LevelPoints = []float64{100, 80, 90, 30, 0} }, []string{"level_points[2]"}},
		{"rising at the end", func(c *Config) { c.LevelPoints = []float64{0, 0, 0, 0, 10} }, []string{"level_points[4]"}},
		{"parts not summing to 1", func(c *Config) { c.Score.DailyWeight = 0.5 }, []string{"score.annual_weight", "score.daily_weight"}},
		{"negative minimum", func(c *Config) { c.Score.MinDailyCount = -1 }, []string{"score.min_daily_count"}},
		{"group weights", func(c *Config) { c.Score.Groups[0].Weight = 0.5 }, []string{"score.groups"}},
		{"duplicate group key", func(c *Config) { c.Score.Groups[3].Key = c.Score.Groups[1].Key }, []string{"score.groups[3].key"}},
		{"no groups", func(c *Config) { c.Score.Groups = nil }, []string{"score.groups"}},
		{"both parts bad", func(c *Config) {
			c.LevelPoints = []float64{1, 2, 3, 4, 5}
			c.Score.Groups[0].Name = " "
		}, []string{"level_points[1]", "level_points[2]", "level_points[3]", "level_points[4]", "score.groups[0].name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig(defaultPoints)
			tt.change(&c)
			if got := fieldsOf(t, c.Validate()); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	points := slices.Clone(defaultPoints)
	c := DefaultConfig(points)
	points[0] = 1
	if c.LevelPoints[0] != 100 {
		t.Error("DefaultConfig shares the caller's slice")
	}
	if !reflect.DeepEqual(c.Score, score.DefaultConfig()) {
		t.Errorf("score part %+v, want score.DefaultConfig()", c.Score)
	}
	if c.PointsFor(5) != 100 || c.PointsFor(1) != 0 || c.PointsFor(3) != 60 {
		t.Errorf("PointsFor over %v", c.LevelPoints)
	}
	// A JSON round trip, as through jsonb, gives back the same numbers.
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, c) {
		t.Errorf("round trip gave %+v (%v), want %+v", back, err, c)
	}
}

func TestNormalized(t *testing.T) {
	c := DefaultConfig(defaultPoints)
	c.Score.Groups[0].Key = "  service_users "
	n := c.Normalized()
	if n.Score.Groups[0].Key != "service_users" || c.Score.Groups[0].Key != "  service_users " {
		t.Errorf("Normalized: got %q, original now %q", n.Score.Groups[0].Key, c.Score.Groups[0].Key)
	}
}

func TestCycleInputValidate(t *testing.T) {
	ok := CycleInput{Name: "2025年度", Year: 2025, PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}
	long := ""
	for range 101 {
		long += "年"
	}
	tests := []struct {
		name   string
		change func(in *CycleInput)
		fields []string
	}{
		{"ok", func(in *CycleInput) {}, nil},
		{"one day", func(in *CycleInput) { in.PeriodEnd = in.PeriodStart }, nil},
		{"no name", func(in *CycleInput) { in.Name = "" }, []string{"name"}},
		{"long name", func(in *CycleInput) { in.Name = long }, []string{"name"}},
		{"year 1999", func(in *CycleInput) { in.Year = 1999 }, []string{"year"}},
		{"year 2101", func(in *CycleInput) { in.Year = 2101 }, []string{"year"}},
		{"no start", func(in *CycleInput) { in.PeriodStart = "" }, []string{"period_start"}},
		{"bad start", func(in *CycleInput) { in.PeriodStart = "2025/01/01" }, []string{"period_start"}},
		{"February 30", func(in *CycleInput) { in.PeriodEnd = "2025-02-30" }, []string{"period_end"}},
		{"end before start", func(in *CycleInput) { in.PeriodEnd = "2024-12-31" }, []string{"period_end"}},
		{"all bad", func(in *CycleInput) { *in = CycleInput{} }, []string{"name", "period_end", "period_start", "year"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.change(&in)
			if got := fieldsOf(t, in.Validate()); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

// TestCheckApprovers: a step's approvers are none, or up to five distinct
// active leader accounts.
func TestCheckApprovers(t *testing.T) {
	leaders := map[int64]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true}
	tests := []struct {
		name string
		ids  []int64
		says string // "" when accepted
	}{
		{"none", nil, ""},
		{"one leader", []int64{3}, ""},
		{"leaders in order", []int64{2, 1, 5}, ""},
		{"not a leader (or disabled)", []int64{1, 9}, "领导账号"},
		{"twice", []int64{1, 2, 1}, "重复"},
		{"six", []int64{1, 2, 3, 4, 5, 6}, "最多5人"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckApprovers(tt.ids, leaders)
			if (got == "") != (tt.says == "") || !strings.Contains(got, tt.says) {
				t.Errorf("got %q, want %q", got, tt.says)
			}
		})
	}
}
