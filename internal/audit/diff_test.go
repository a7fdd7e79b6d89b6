package audit

import (
	"encoding/json"
	"testing"
	"time"
)

// Diff lists only what changed, in words: enums, yes/no, times in the
// office's zone, lists of ids as counts, a scheme's tree as its size, and
// an unknown field under a generic name rather than dropped.
func TestDiffInWords(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	before := json.RawMessage(`{"name": "甲", "status": "submitted", "excluded": false, "category": "社会服务类",
		"updated_at": "2026-01-01T00:00:00Z", "evidence_ids": ["a"], "tree": {"key": "r", "children": [{"key": "a"}]},
		"config": {"score": {"daily_weight": 0.4}}}`)
	after := json.RawMessage(`{"name": "乙", "status": "approved", "excluded": true, "category": "社会服务类",
		"updated_at": "2026-01-02T00:00:00Z", "evidence_ids": ["a", "b"], "tree": {"key": "r", "children": [{"key": "b"}]},
		"config": {"score": {"daily_weight": 0.5}}, "wobble": 1}`)
	got := map[string]Change{}
	for _, c := range Diff("unit", before, after, loc) {
		got[c.Field] = c
	}
	want := map[string]Change{
		"名称":     {"名称", "甲", "乙"},
		"状态":     {"状态", "已提交", "已批准"},
		"已剔除":    {"已剔除", "否", "是"},
		"修改时间":   {"修改时间", "2026-01-01 08:00:00", "2026-01-02 08:00:00"},
		"证明材料":   {"证明材料", "1 个文件", "2 个文件"},
		"考核方案结构": {"考核方案结构", "2 个项目", "2 个项目（内容有变化）"},
		"考核配置·得分·日常考核权重": {"考核配置·得分·日常考核权重", "0.4", "0.5"},
		"其他字段": {"其他字段", "", "1"},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %+v, want %+v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("changes %+v, want only %d (the unchanged category left out)", got, len(want))
	}
}
