package cyclesapp

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/schemes"
)

// schemePath is the console page of a cycle's scheme.
func schemePath(id int64) string { return cyclePath(id) + "/scheme" }

// schemeRow is one node of the tree as the page shows it.
type schemeRow struct {
	schemes.NodeResult
	KindLabel, MaxText, WeightText, AssessorText string
	Leaf, Auto, CanNA                            bool
	// Typed and NA refill the trial form.
	Typed      string
	NA         bool
	ValueText  string
	InputError string
}

type schemeVersionRow struct {
	schemes.Info
	Link             string
	Newest, Selected bool
}

// schemeJSONForm is the paste-a-tree form as typed.
type schemeJSONForm struct {
	Tree, Name, Note string
}

// schemeTrial is a trial computation's outcome.
type schemeTrial struct {
	Done      bool
	Composite string
	Max       string
	Missing   []schemes.MissingLeaf
	Errors    []string
}

type schemePageData struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	Has        bool
	Scheme     schemes.Version
	NewestN    int
	ViewingOld bool
	Preview    *schemes.Preset
	Presets    []schemes.Preset
	Rows       []schemeRow
	Versions   []schemeVersionRow
	VersionsN  int
	JSON       schemeJSONForm
	Problems   []string
	PresetNote string
	Trial      schemeTrial
	// TrialVersion and TrialPreset name the tree the trial form computes.
	TrialVersion int
	TrialPreset  string
	CycleLink    string
	// Group is the scheme chain shown: the default scheme or a group's.
	Group schemeGroup
}

// schemeView is what a scheme page request asks to see: a stored version
// (0: the newest) or a preset's preview.
type schemeView struct {
	version int
	preset  string
	group   string
}

func readSchemeView(version, preset string) (schemeView, error) {
	v := schemeView{preset: strings.TrimSpace(preset)}
	if version != "" {
		n, err := httpx.ParseInt(version)
		if err != nil || n < 1 {
			return v, apperr.New(apperr.NotFound, "该考核方案版本不存在")
		}
		v.version = n
	}
	return v, nil
}

// SchemePage shows the cycle's scheme (the newest, ?version=N, or a
// preset's preview with ?preview=key) as a nested table, the version
// history and, for the office, the forms to save a preset or a pasted
// tree and to run a trial computation.
func (s *Handlers) SchemePage(c *gin.Context) {
	view, err := readSchemeView(c.Query("version"), c.Query("preview"))
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	view.group = c.Query("group")
	s.showScheme(c, http.StatusOK, view, nil, nil, nil)
}

// showScheme renders the page. form and problems refill a refused tree;
// trial is a trial computation's inputs and result.
func (s *Handlers) showScheme(c *gin.Context, status int, view schemeView, form *schemeJSONForm, problems []string, trial *trialRun) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	var group schemeGroup
	if err == nil {
		group, err = s.readSchemeGroup(c, cy, view.group, schemePath(id))
	}
	var list []schemes.Info
	var total int
	if err == nil {
		list, total, err = schemes.ListIn(c, s.Pool, id, group.ptr(), 100, 0)
	}
	d := schemePageData{BasePage: s.Base(c, cy.Name+" · 考核方案", "cycles"), Cycle: cy, Presets: schemes.Presets(),
		VersionsN: total, Problems: problems, CycleLink: cyclePath(id), Group: group}
	if err == nil && total > 0 {
		d.NewestN = list[0].Version
		d.Scheme, err = schemes.FindIn(c, s.Pool, id, group.ptr(), view.version)
		d.Has = err == nil
	}
	var tree schemes.Node
	if err == nil && view.preset != "" {
		var p schemes.Preset
		if p, err = schemes.FindPreset(view.preset); err != nil {
			err = apperr.New(apperr.NotFound, "该预置方案不存在")
		}
		d.Preview, tree, d.TrialPreset = &p, p.Tree, p.Key
	} else if err == nil && d.Has {
		tree, d.TrialVersion = d.Scheme.Tree, d.Scheme.Version
		d.ViewingOld = d.Scheme.Version != d.NewestN
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if d.Has || d.Preview != nil {
		d.Rows, d.Trial = schemeRows(tree, trial)
	}
	for _, v := range list {
		link := schemePath(id) + group.query()
		if v.Version != d.NewestN {
			link += map[bool]string{true: "?", false: "&"}[group.ID == 0] + "version=" + strconv.Itoa(v.Version)
		}
		d.Versions = append(d.Versions, schemeVersionRow{Info: v, Link: link,
			Newest: v.Version == d.NewestN, Selected: d.Preview == nil && v.Version == d.Scheme.Version})
	}
	if form != nil {
		d.JSON = *form
	} else if d.Has || d.Preview != nil {
		b, _ := json.MarshalIndent(tree, "", "  ")
		d.JSON = schemeJSONForm{Tree: string(b), Name: tree.Name}
		if d.Has && d.Preview == nil {
			d.JSON.Name = d.Scheme.Name
		}
	}
	s.Render(c, status, "console/scheme.html", d)
}

// trialRun is a trial's typed inputs, per leaf key, and its outcome.
type trialRun struct {
	typed  map[string]string
	na     map[string]bool
	errs   map[string]string
	result *schemes.Result
	// message is a problem not tied to one leaf.
	message string
}

// schemeRows flattens tree for the page, with the trial's values when
// one ran.
func schemeRows(tree schemes.Node, trial *trialRun) ([]schemeRow, schemeTrial) {
	empty, _ := schemes.Compute(tree, nil)
	nodes := empty.Nodes
	var out schemeTrial
	if trial != nil && trial.result != nil {
		nodes = trial.result.Nodes
		out.Done = true
		out.Max = strconv.FormatFloat(trial.result.Max, 'f', -1, 64)
		out.Missing = trial.result.Missing
		if trial.result.Composite != nil {
			out.Composite = strconv.FormatFloat(*trial.result.Composite, 'f', 2, 64)
		}
	}
	prorated := map[int]bool{}
	rows := make([]schemeRow, len(nodes))
	for i, n := range nodes {
		prorated[n.Depth] = n.Kind == schemes.KindProrated
		r := schemeRow{NodeResult: n, KindLabel: schemes.KindLabel(n.Kind),
			MaxText: strconv.FormatFloat(n.Max, 'f', -1, 64),
			Leaf:    n.Kind == schemes.KindManual || n.Kind == schemes.KindAuto, Auto: n.Kind == schemes.KindAuto,
			CanNA: n.Depth > 0 && prorated[n.Depth-1]}
		if n.Weight != 0 {
			r.WeightText = strconv.FormatFloat(schemes.Round2(n.Weight*100), 'f', -1, 64) + "%"
		}
		if n.Assessor != nil {
			r.AssessorText = n.Assessor.Name
		}
		if n.Value != nil {
			r.ValueText = strconv.FormatFloat(*n.Value, 'f', 2, 64)
		}
		if trial != nil {
			r.Typed, r.NA, r.InputError = trial.typed[n.Key], trial.na[n.Key], trial.errs[n.Key]
		}
		rows[i] = r
	}
	if trial != nil {
		if trial.message != "" {
			out.Errors = append(out.Errors, trial.message)
		}
		for _, r := range rows {
			if r.InputError != "" {
				out.Errors = append(out.Errors, r.InputError)
			}
		}
	}
	return rows, out
}

// SchemeSubmit saves a preset (mode=preset) or a pasted tree (mode=json)
// as the cycle's next scheme version; the same scheme again stores
// nothing.
func (s *Handlers) SchemeSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	cy, err := cycles.FindCycle(c, s.Pool, id)
	var group schemeGroup
	if err == nil {
		group, err = s.readSchemeGroup(c, cy, c.PostForm("group"), schemePath(id))
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	ch := schemes.Change{GroupID: group.ptr(), Name: c.PostForm("name"), Note: c.PostForm("note")}
	var form *schemeJSONForm
	var problems []string
	if c.PostForm("mode") == "json" {
		form = &schemeJSONForm{Tree: c.PostForm("tree"), Name: ch.Name, Note: ch.Note}
		var tree schemes.Node
		if msg := decodeSchemeTree(form.Tree, &tree); msg != "" {
			problems = []string{msg}
		} else {
			ch.Tree = &tree
		}
	} else {
		ch.Preset = c.PostForm("preset")
	}
	changed := false
	if problems == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			_, changed, err = schemes.Set(c, tx, httpx.CurrentUser(c).Actor(), id, ch)
			return err
		})
		problems = schemeProblems(err, ch)
	}
	if problems != nil {
		view := schemeView{group: c.PostForm("group")}
		if ch.Preset != "" && form == nil {
			view.preset = ch.Preset
		}
		s.showScheme(c, http.StatusUnprocessableEntity, view, form, problems, nil)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "scheme_saved"
	if !changed {
		flash = "scheme_unchanged"
	}
	httpx.Redirect(c, schemePath(id)+group.query(), flash)
}

// decodeSchemeTree reads a pasted tree, returning a Chinese message when
// it is not a JSON object of nodes.
func decodeSchemeTree(text string, dst *schemes.Node) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return "请粘贴方案 JSON（根项目对象）"
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return "方案 JSON 中字段“" + typeErr.Field + "”的类型不正确"
		}
		if strings.Contains(err.Error(), "unknown field") {
			return "方案 JSON 含有无法识别的字段：" + strings.TrimPrefix(err.Error(), "json: unknown field ") +
				"（可用字段：key、name、kind、max、weight、assessor、source、children）"
		}
		return "方案 JSON 格式有误，无法解析，请检查括号、引号和逗号"
	}
	if dec.More() {
		return "方案 JSON 只能包含一个根项目对象"
	}
	return ""
}

// schemeProblems turns a refused save into the page's list of Chinese
// messages, tree problems in tree order; nil when err is not invalid.
func schemeProblems(err error, ch schemes.Change) []string {
	errs, ok := httpx.FieldErrors(err)
	if !ok {
		return nil
	}
	var out []string
	if ch.Tree != nil {
		for _, p := range schemes.Problems(ch.Tree.Normalized()) {
			out = append(out, p.Message)
		}
	}
	// Then name, note or preset, and any tree problem found only on
	// saving (an assessor unit_id), in a stable order.
	for _, field := range slices.Sorted(maps.Keys(errs)) {
		if !strings.HasPrefix(field, "tree.") && field != "tree" || len(out) == 0 {
			out = append(out, errs[field])
		}
	}
	return out
}

// SchemeTrialSubmit computes the viewed tree (a version or a preset's
// preview) with the leaf values typed into the form: in.<key> a number
// (empty: missing), na.<key> checked for an item not taken part in.
func (s *Handlers) SchemeTrialSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var view schemeView
	if err == nil {
		view, err = readSchemeView(c.PostForm("version"), c.PostForm("preview"))
	}
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	var group schemeGroup
	if err == nil {
		view.group = c.PostForm("group")
		group, err = s.readSchemeGroup(c, cy, view.group, schemePath(id))
	}
	var tree schemes.Node
	if err == nil && view.preset != "" {
		var p schemes.Preset
		p, err = schemes.FindPreset(view.preset)
		tree = p.Tree
	} else if err == nil {
		var v schemes.Version
		v, err = schemes.FindIn(c, s.Pool, id, group.ptr(), view.version)
		tree = v.Tree
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	run := &trialRun{typed: map[string]string{}, na: map[string]bool{}, errs: map[string]string{}}
	inputs := map[string]schemes.Input{}
	empty, _ := schemes.Compute(tree, nil)
	for _, n := range empty.Nodes {
		if c.PostForm("na."+n.Key) != "" {
			run.na[n.Key] = true
			inputs[n.Key] = schemes.NotApplicable
			continue
		}
		typed := strings.TrimSpace(c.PostForm("in." + n.Key))
		if typed == "" {
			continue
		}
		run.typed[n.Key] = typed
		f, perr := strconv.ParseFloat(typed, 64)
		if perr != nil {
			run.errs[n.Key] = n.Path + ": 请填写数字"
			continue
		}
		inputs[n.Key] = schemes.Points(f)
	}
	status := http.StatusOK
	if len(run.errs) == 0 {
		res, err := schemes.Compute(tree, inputs)
		if errs, ok := httpx.FieldErrors(err); ok {
			for field, msg := range errs {
				if key, found := strings.CutPrefix(field, "inputs."); found {
					run.errs[key] = msg
				} else {
					run.message = msg
				}
			}
		} else if err != nil {
			s.ConsoleError(c, err)
			return
		} else {
			run.result = &res
		}
	}
	if run.result == nil {
		status = http.StatusUnprocessableEntity
	}
	s.showScheme(c, status, view, nil, nil, run)
}
