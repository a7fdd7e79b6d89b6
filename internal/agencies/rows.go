package agencies

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/safetext"
	"minyi/internal/surveys"
	"minyi/internal/units"
)

// Limits of one response row.
const (
	MaxResponseID = 100
	MaxOpinion    = 1000
)

// dateLayout is the layout of a response's date in the API and in SQL.
const dateLayout = "2006-01-02"

// Level names accepted in files (and in JSON), as ratings.LevelLabel names them.
var levelNames = map[string]int{"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}

// RowInput is one uploaded response as read from a JSON batch or a file,
// every value still text.
type RowInput struct {
	// Row is the row number the report gives: the line in the file, or the
	// JSON index + 1.
	Row        int
	ResponseID string
	UnitID     string // JSON only: the unit's id
	Unit       string // short code or exact name
	Group      string // key or name
	Level      string
	// Aspects maps an aspect question's key or text to its level.
	Aspects map[string]string
	Opinion string
	Date    string
	// Errors are problems found while reading the row, such as a JSON
	// value of the wrong type.
	Errors []RowError
	// Columns names the file column (its header) of each field, for the report.
	Columns map[string]string
}

// RowError is one problem of one row.
type RowError struct {
	Row        int    `json:"row"`
	ResponseID string `json:"response_id,omitempty"`
	Field      string `json:"field"`
	// Column is the header of the file column, for file uploads.
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// Response is a valid response row, ready to store.
type Response struct {
	Row        int
	ResponseID string
	UnitID     int64
	GroupKey   string
	Level      int
	Aspects    map[string]int
	Opinion    string
	// Date is the day answered (YYYY-MM-DD); DateGiven is false when the
	// row left it out and it defaulted to today.
	Date      string
	DateGiven bool
}

// sameAs reports whether r has the content of a stored response o. A date
// left out of r matches any stored date, so a file without dates can be
// uploaded again on another day.
func (r Response) sameAs(o Response) bool {
	return r.UnitID == o.UnitID && r.GroupKey == o.GroupKey && r.Level == o.Level && r.Opinion == o.Opinion &&
		maps.Equal(r.Aspects, o.Aspects) && (!r.DateGiven || !o.DateGiven || r.Date == o.Date)
}

// checker checks rows against a catalog.
type checker struct {
	cat      *Catalog
	today    string
	unitByID map[int64]units.Unit
	unitBy   map[string]units.Unit       // short code (as given and folded) and name
	aspectBy map[string]surveys.Question // key (folded) and text
	groups   string                      // names of the groups taking part, for messages
}

func newChecker(cat *Catalog, now time.Time, loc *time.Location) *checker {
	c := &checker{cat: cat, today: now.In(loc).Format(dateLayout), unitByID: map[int64]units.Unit{},
		unitBy: map[string]units.Unit{}, aspectBy: map[string]surveys.Question{}}
	for _, u := range cat.Units {
		c.unitByID[u.ID] = u
		c.unitBy[u.Name] = u
	}
	for _, u := range cat.Units { // a short code wins over a unit named like it
		if u.ShortCode != nil {
			c.unitBy[*u.ShortCode] = u
			if _, taken := c.unitBy[strings.ToLower(*u.ShortCode)]; !taken {
				c.unitBy[strings.ToLower(*u.ShortCode)] = u
			}
		}
	}
	names := make([]string, 0, len(cat.Survey.Groups))
	for _, g := range cat.Survey.Groups {
		names = append(names, g.Name)
	}
	c.groups = strings.Join(names, "、")
	for _, q := range cat.Survey.Aspects() {
		c.aspectBy[strings.ToLower(q.Key)] = q
		c.aspectBy[q.Text] = q
	}
	return c
}

// check validates one row and returns the response or the row's errors.
// A field whose text is not safetext.Valid (a NUL, another control
// character, bytes that are not UTF-8) is reported with safetext.Message
// and the row's other checks are skipped, so such text never reaches a
// message, the report or the database.
func (c *checker) check(in RowInput) (Response, []RowError) {
	errs := append([]RowError(nil), in.Errors...)
	add := func(field, msg string) {
		errs = append(errs, RowError{Field: field, Message: msg})
	}
	r := Response{Row: in.Row, ResponseID: strings.TrimSpace(in.ResponseID), Opinion: strings.TrimSpace(in.Opinion)}
	if bad := unreadableFields(in); len(bad) > 0 {
		for _, field := range bad {
			add(field, safetext.Message)
		}
		if slices.Contains(bad, "response_id") {
			r.ResponseID = ""
		}
		return r, c.locate(in, r, errs)
	}
	switch n := utf8.RuneCountInString(r.ResponseID); {
	case n == 0:
		add("response_id", "请填写答卷编号")
	case n > MaxResponseID:
		add("response_id", "答卷编号不能超过100个字符")
	}
	c.checkUnit(&r, in, add)
	if g, ok := c.cat.Survey.Group(in.Group); ok {
		r.GroupKey = g.Key
	} else if strings.TrimSpace(in.Group) == "" {
		add("group", "请填写受访群体")
	} else {
		add("group", "受访群体“"+shown(in.Group)+"”未参与本问卷，可填："+c.groups)
	}
	if l, msg := parseLevel(in.Level, "总体满意度"); msg != "" {
		add("level", msg)
	} else {
		r.Level = l
	}
	r.Aspects = map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(in.Aspects)) {
		v := in.Aspects[name]
		q, ok := c.aspectBy[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			q, ok = c.aspectBy[strings.TrimSpace(name)]
		}
		field := "aspects." + name
		if !ok {
			add(field, "本问卷没有评价项“"+shown(name)+"”")
			continue
		}
		field = "aspects." + q.Key
		if strings.TrimSpace(v) == "" {
			continue // an aspect may be left unanswered
		}
		if l, msg := parseLevel(v, "“"+q.Text+"”"); msg != "" {
			add(field, msg)
		} else if _, twice := r.Aspects[q.Key]; twice {
			add(field, "评价项“"+q.Text+"”重复填写")
		} else {
			r.Aspects[q.Key] = l
		}
	}
	switch {
	case r.Opinion != "" && !c.cat.Survey.AllowOpinion:
		add("opinion", "本问卷不收集意见建议，请留空")
	case utf8.RuneCountInString(r.Opinion) > MaxOpinion:
		add("opinion", "意见建议不能超过1000字")
	}
	c.checkDate(&r, in.Date, add)
	return r, c.locate(in, r, errs)
}

// locate gives each of the row's errors its row, response id and column.
func (c *checker) locate(in RowInput, r Response, errs []RowError) []RowError {
	for i := range errs {
		errs[i].Row, errs[i].ResponseID = in.Row, r.ResponseID
		if errs[i].Column == "" {
			errs[i].Column = in.Columns[errs[i].Field]
		}
	}
	return errs
}

// unreadableFields returns the fields of the row whose text is not
// safetext.Valid, in a fixed order; "aspects" stands for an aspect whose
// name is unreadable.
func unreadableFields(in RowInput) []string {
	var bad []string
	for _, f := range []struct{ field, text string }{{"response_id", in.ResponseID}, {"unit_id", in.UnitID},
		{"unit", in.Unit}, {"group", in.Group}, {"level", in.Level}, {"opinion", in.Opinion}, {"date", in.Date}} {
		if !safetext.Valid(f.text) {
			bad = append(bad, f.field)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(in.Aspects)) {
		switch {
		case !safetext.Valid(name):
			bad = append(bad, "aspects")
		case !safetext.Valid(in.Aspects[name]):
			bad = append(bad, "aspects."+name)
		}
	}
	return bad
}

// shown is a value as a message quotes it: trimmed and cut to 40
// characters, so a long cell does not make a long report.
func shown(v string) string {
	v = strings.TrimSpace(v)
	if r := []rune(v); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return v
}

func (c *checker) checkUnit(r *Response, in RowInput, add func(field, msg string)) {
	name, idText := strings.TrimSpace(in.Unit), strings.TrimSpace(in.UnitID)
	if idText != "" {
		id, err := strconv.ParseInt(idText, 10, 64)
		u, ok := c.unitByID[id]
		if err != nil || !ok {
			add("unit_id", "单位编号“"+shown(idText)+"”不存在")
			return
		}
		if name != "" {
			if other, ok := c.unit(name); !ok || other.ID != u.ID {
				add("unit", "单位“"+shown(name)+"”与单位编号 "+idText+" 不是同一个单位")
				return
			}
		}
		c.takeUnit(r, u, add)
		return
	}
	if name == "" {
		add("unit", "请填写单位（单位简码或完整名称）")
		return
	}
	u, ok := c.unit(name)
	if !ok {
		add("unit", "单位“"+shown(name)+"”不存在，请填写单位简码或完整名称")
		return
	}
	c.takeUnit(r, u, add)
}

// takeUnit sets the row's unit, or refuses a unit abolished by the end of
// the survey's cycle: it is not a unit of that cycle, and its answers
// would count for nothing.
func (c *checker) takeUnit(r *Response, u units.Unit, add func(field, msg string)) {
	if u.AbolishedBy(c.cat.PeriodEnd) {
		add("unit", "单位“"+u.Name+"”已于"+*u.AbolishedOn+"撤销，不参加本年度考核，不能上传对它的问卷")
		return
	}
	r.UnitID = u.ID
}

func (c *checker) unit(name string) (units.Unit, bool) {
	if u, ok := c.unitBy[name]; ok {
		return u, true
	}
	u, ok := c.unitBy[strings.ToLower(name)]
	return u, ok
}

// dateLayouts are the date forms accepted: ISO, and what Excel shows in China.
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}

func (c *checker) checkDate(r *Response, v string, add func(field, msg string)) {
	v = strings.TrimSpace(v)
	if v == "" {
		r.Date = c.today
		return
	}
	for _, layout := range dateLayouts {
		if d, err := time.Parse(layout, v); err == nil {
			r.Date, r.DateGiven = d.Format(dateLayout), true
			switch {
			case r.Date > c.today:
				add("date", "日期“"+v+"”晚于今天")
			case d.Year() < 2000:
				add("date", "日期“"+v+"”过早，请检查")
			}
			return
		}
	}
	add("date", "日期“"+shown(v)+"”格式不正确，应为 YYYY-MM-DD，如 2024-11-05")
}

// parseLevel reads a level 1–5 or its Chinese name; msg names what is wrong.
func parseLevel(v, label string) (int, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, "请填写" + label
	}
	if l, ok := levelNames[v]; ok {
		return l, ""
	}
	l, err := strconv.Atoi(v)
	if err != nil || l < 1 || l > 5 {
		return 0, label + "“" + shown(v) + "”无效，须为1到5的整数（5 非常满意 … 1 非常不满意），或填写“非常满意”“满意”“基本满意”“不满意”“非常不满意”"
	}
	return l, ""
}
