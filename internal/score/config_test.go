package score

import (
	"math"
	"testing"

	"minyi/internal/apperr"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	if cfg.DailyWeight != 0.4 || cfg.AnnualWeight != 0.6 || cfg.MinDailyCount != 30 ||
		cfg.AnnualCarriesWhenDailyShort || len(cfg.Groups) != 6 {
		t.Errorf("default config = %+v", cfg)
	}
	sum := 0.0
	for _, g := range cfg.Groups {
		sum += g.Weight
	}
	if !near(sum, 1) {
		t.Errorf("default group weights sum to %v", sum)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Config)
		fields map[string]string // every field with a message, and the message
	}{
		{"decimal weights that sum to 1 pass", func(c *Config) {
			c.DailyWeight, c.AnnualWeight = 0.1+0.2, 0.7 // 0.30000000000000004
		}, nil},
		{"daily weight above 1", func(c *Config) { c.DailyWeight, c.AnnualWeight = 1.2, -0.2 }, map[string]string{
			"daily_weight": "日常评价权重须在0到1之间", "annual_weight": "年度测评权重须在0到1之间"}},
		{"daily weight NaN", func(c *Config) { c.DailyWeight = math.NaN() }, map[string]string{
			"daily_weight": "日常评价权重须在0到1之间", "annual_weight": "日常评价权重与年度测评权重之和须为1"}},
		{"weights do not sum to 1", func(c *Config) { c.AnnualWeight = 0.5 }, map[string]string{
			"daily_weight":  "日常评价权重与年度测评权重之和须为1",
			"annual_weight": "日常评价权重与年度测评权重之和须为1"}},
		{"negative minimum daily count", func(c *Config) { c.MinDailyCount = -1 }, map[string]string{
			"min_daily_count": "日常评价最低数量不能为负数"}},
		{"no groups", func(c *Config) { c.Groups = nil }, map[string]string{
			"groups": "请至少设置一个受访群体"}},
		{"empty group key", func(c *Config) { c.Groups[1].Key = "  " }, map[string]string{
			"groups[1].key": "请填写群体代码"}},
		{"duplicate group key", func(c *Config) { c.Groups[2].Key = GroupServiceUsers }, map[string]string{
			"groups[2].key": "群体代码重复：service_users"}},
		{"empty group name", func(c *Config) { c.Groups[0].Name = "" }, map[string]string{
			"groups[0].name": "请填写群体名称"}},
		{"negative group weight", func(c *Config) { c.Groups[3].Weight = -0.12 }, map[string]string{
			"groups[3].weight": "群体权重须在0到1之间", "groups": "各受访群体权重之和须为1"}},
		{"group weights do not sum to 1", func(c *Config) { c.Groups[0].Weight = 0.5 }, map[string]string{
			"groups": "各受访群体权重之和须为1"}},
		{"negative minimum sample", func(c *Config) { c.Groups[5].MinSample = -3 }, map[string]string{
			"groups[5].min_sample": "最低样本量不能为负数"}},
		{"zero minimums pass", func(c *Config) {
			c.MinDailyCount = 0
			for i := range c.Groups {
				c.Groups[i].MinSample = 0
			}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.edit(&cfg)
			err := cfg.Validate()
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Validate() = %v, want an invalid error", err)
			}
			got := apperr.From(err).Fields
			if len(got) != len(tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
			for field, msg := range tt.fields {
				if got[field] != msg {
					t.Errorf("field %s = %q, want %q", field, got[field], msg)
				}
			}
		})
	}
}
