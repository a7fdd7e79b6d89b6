package surveysapp

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minyi/internal/cycles"
	"minyi/internal/export"
	"minyi/internal/ratings"
	"minyi/internal/surveys"
	"minyi/internal/units"
	"minyi/internal/users"
)

// ResponsesExport is the export of the survey responses (问卷答卷): the
// list's filter and access rule (a unit's staff their own unit's
// responses, never who answered nor the agency's answer number). With one
// survey chosen each of its aspects is a column; across surveys the
// aspects share one column in words.
func (s *Handlers) ResponsesExport(ctx context.Context, u users.User, q url.Values) (export.Spec, error) {
	f, err := responseFilterOf(q, u)
	if err != nil {
		return export.Spec{}, err
	}
	office := u.Role == users.RoleOffice
	known, _, err := surveys.ListSurveys(ctx, s.Pool, surveys.Filter{Limit: 500})
	if err != nil {
		return export.Spec{}, err
	}
	cys, _, err := cycles.ListCycles(ctx, s.Pool, cycles.Page{Limit: 500})
	if err != nil {
		return export.Spec{}, err
	}
	names := responseNames{aspects: map[int64][]surveys.Question{}, groups: map[string]string{}}
	for _, cy := range cys {
		for _, g := range cy.Config.Score.Groups {
			if _, ok := names.groups[g.Key]; !ok {
				names.groups[g.Key] = g.Name
			}
		}
	}
	var one *surveys.Summary
	for i, sv := range known {
		names.aspects[sv.ID] = sv.Aspects()
		for _, g := range sv.Groups {
			if _, ok := names.groups[g.Key]; !ok {
				names.groups[g.Key] = g.Name
			}
		}
		if sv.ID == f.SurveyID {
			one = &known[i]
		}
	}
	cols := []export.Column{{Head: "提交日期", Kind: export.Date}, {Head: "问卷", Width: 24}, {Head: "被评单位", Width: 24},
		{Head: "受访群体", Width: 14}, {Head: "来源", Width: 10}, {Head: "调查机构", Width: 16}}
	if office {
		cols = append(cols, export.Column{Head: "机构答卷编号", Width: 16}, export.Column{Head: "受访人", Width: 14})
	}
	cols = append(cols, export.Column{Head: "总体满意度", Width: 10})
	var aspects []surveys.Question
	if one != nil {
		aspects = one.Aspects()
		for _, a := range aspects {
			cols = append(cols, export.Column{Head: a.Text, Width: 12})
		}
	} else {
		cols = append(cols, export.Column{Head: "分项评价", Width: 40})
	}
	cols = append(cols, export.Column{Head: "意见建议", Width: 48}, export.Column{Head: "答卷编号", Width: 38})
	conds, err := s.responseConds(ctx, f, one, names.groups)
	if err != nil {
		return export.Spec{}, err
	}
	loc := s.Config.Location
	next := func(ctx context.Context, after *surveys.ResponseCursor, limit int) ([]surveys.Response, *surveys.ResponseCursor, error) {
		list, last, err := surveys.ResponseBatch(ctx, s.Pool, f, after, limit)
		forUnit(u, list)
		return list, last, err
	}
	row := func(r surveys.Response) []any {
		var at any = r.SubmittedOn
		if t, err := time.ParseInLocation(time.DateOnly, r.SubmittedOn, loc); err == nil {
			at = t
		}
		group := names.groups[r.GroupKey]
		if group == "" {
			group = r.GroupKey
		}
		out := []any{at, r.SurveyTitle, r.UnitName, group, surveys.SourceLabel(r.Source), export.Optional(r.AgencyName)}
		if office {
			out = append(out, export.Optional(r.AgencyResponseID), export.Optional(r.RespondentName))
		}
		out = append(out, ratings.LevelLabel(r.Level))
		if one != nil {
			for _, a := range aspects {
				l, ok := r.Aspects[a.Key]
				out = append(out, map[bool]string{true: ratings.LevelLabel(l), false: ""}[ok])
			}
		} else {
			out = append(out, names.aspectText(r))
		}
		return append(out, r.Opinion, r.ID.String())
	}
	return export.Spec{
		Title:    "问卷答卷",
		Filter:   conds,
		Estimate: func(ctx context.Context) (int, error) { return surveys.ResponseCount(ctx, s.Pool, f) },
		Main: export.Sheet{Name: "问卷答卷", Columns: cols, Rows: func(ctx context.Context, emit export.Emit) error {
			return export.Batches(ctx, surveys.MaxResponseBatch, next, row, emit)
		}},
	}, nil
}

// responseNames names the surveys' aspects and the respondent groups.
type responseNames struct {
	aspects map[int64][]surveys.Question
	groups  map[string]string
}

// aspectText is a response's aspects in words, in its survey's order:
// 办事效率：满意；服务态度：基本满意.
func (n responseNames) aspectText(r surveys.Response) string {
	var parts []string
	for _, a := range aspectViews(n.aspects[r.SurveyID], r.Aspects) {
		parts = append(parts, a.Text+"："+a.Label)
	}
	return strings.Join(parts, "；")
}

// responseConds is the responses' filter in words.
func (s *Handlers) responseConds(ctx context.Context, f surveys.ResponseFilter, one *surveys.Summary,
	groups map[string]string) ([]export.Cond, error) {
	var c []export.Cond
	if f.CycleID != 0 {
		cy, err := cycles.FindCycle(ctx, s.Pool, f.CycleID)
		if err != nil {
			return nil, err
		}
		c = append(c, export.Cond{Label: "考核年度", Value: cy.Name})
	}
	if one != nil {
		c = append(c, export.Cond{Label: "问卷", Value: one.Title})
	} else if f.SurveyID != 0 {
		c = append(c, export.Cond{Label: "问卷", Value: "编号 " + strconv.FormatInt(f.SurveyID, 10)})
	}
	switch {
	case f.UnitID > 0:
		u, err := units.FindUnit(ctx, s.Pool, f.UnitID)
		if err != nil {
			return nil, err
		}
		c = append(c, export.Cond{Label: "单位", Value: u.Name})
	case f.UnitID < 0:
		c = append(c, export.Cond{Label: "单位", Value: "本单位"})
	}
	if f.Group != "" {
		name := groups[f.Group]
		if name == "" {
			name = f.Group
		}
		c = append(c, export.Cond{Label: "受访群体", Value: name})
	}
	if f.Source != "" {
		c = append(c, export.Cond{Label: "来源", Value: surveys.SourceLabel(f.Source)})
	}
	if f.Level != 0 {
		c = append(c, export.Cond{Label: "总体满意度", Value: ratings.LevelLabel(f.Level)})
	}
	if !f.Q.IsZero() {
		c = append(c, export.Cond{Label: "关键词", Value: f.Q.Raw})
	}
	return c, nil
}
