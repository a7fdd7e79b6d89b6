package cyclesapp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/score"
)

// maxGroupRows is how many respondent group rows the form reads at most.
const maxGroupRows = 50

// blankGroupRows is how many empty rows the form offers for new groups.
const blankGroupRows = 2

// configForm is the configuration form as typed. Weights are entered as
// percentages; field names follow cycles.Config.Validate, so its messages
// land next to their fields.
type configForm struct {
	Levels        []levelPointField
	DailyWeight   string
	AnnualWeight  string
	MinDailyCount string
	Carry         bool
	Groups        []groupField
	Note          string
}

type levelPointField struct {
	Level  int
	Label  string
	Field  string // form field and error key: level_points[i]
	Points string
	Err    string
}

// groupField is one row of the group table; Index is its place in the
// submitted configuration and in the error keys score.groups[Index].*.
type groupField struct {
	Index                        int
	Key, Name, Weight, MinSample string
	Existing                     bool
	KeyErr, NameErr, WeightErr   string
	MinSampleErr                 string
}

// percentNumber formats a weight as a percentage number for an input.
func percentNumber(w float64) string {
	return strconv.FormatFloat(score.Round2(w*100), 'f', -1, 64)
}

// newConfigForm fills the form from a stored configuration.
func newConfigForm(cfg cycles.Config) configForm {
	sc := cfg.Score
	f := configForm{DailyWeight: percentNumber(sc.DailyWeight), AnnualWeight: percentNumber(sc.AnnualWeight),
		MinDailyCount: strconv.Itoa(sc.MinDailyCount), Carry: sc.AnnualCarriesWhenDailyShort}
	for i := range 5 {
		p := ""
		if i < len(cfg.LevelPoints) {
			p = strconv.FormatFloat(cfg.LevelPoints[i], 'f', -1, 64)
		}
		f.Levels = append(f.Levels, levelField(i, p))
	}
	for i, g := range sc.Groups {
		f.Groups = append(f.Groups, groupField{Index: i, Key: g.Key, Name: g.Name, Weight: percentNumber(g.Weight),
			MinSample: strconv.Itoa(g.MinSample), Existing: true})
	}
	return f
}

// levelField is the field of level_points[i], the points of level 5-i.
func levelField(i int, points string) levelPointField {
	return levelPointField{Level: 5 - i, Label: ratings.LevelLabel(5 - i), Field: fmt.Sprintf("level_points[%d]", i), Points: points}
}

// readConfigForm reads the posted form. Group rows left empty are dropped,
// and so are rows marked for removal.
func readConfigForm(c *gin.Context) configForm {
	f := configForm{DailyWeight: strings.TrimSpace(c.PostForm("daily_weight")),
		AnnualWeight:  strings.TrimSpace(c.PostForm("annual_weight")),
		MinDailyCount: strings.TrimSpace(c.PostForm("min_daily_count")),
		Carry:         c.PostForm("annual_carries") == "1", Note: c.PostForm("note")}
	for i := range 5 {
		f.Levels = append(f.Levels, levelField(i, strings.TrimSpace(c.PostForm(fmt.Sprintf("level_points[%d]", i)))))
	}
	for i := range maxGroupRows {
		p := fmt.Sprintf("groups[%d].", i)
		if _, ok := c.GetPostForm(p + "key"); !ok {
			break
		}
		g := groupField{Key: strings.TrimSpace(c.PostForm(p + "key")), Name: strings.TrimSpace(c.PostForm(p + "name")),
			Weight: strings.TrimSpace(c.PostForm(p + "weight")), MinSample: strings.TrimSpace(c.PostForm(p + "min_sample")),
			Existing: c.PostForm(p+"existing") == "1"}
		if c.PostForm(p+"remove") == "1" || g.Key+g.Name+g.Weight+g.MinSample == "" {
			continue
		}
		g.Index = len(f.Groups)
		f.Groups = append(f.Groups, g)
	}
	// A group added on the page gets its code from the system: staff name
	// groups, codes are for the API and the agencies' files.
	used := map[string]bool{}
	for _, g := range f.Groups {
		used[g.Key] = true
	}
	for i, g := range f.Groups {
		if g.Existing || g.Key != "" || g.Name == "" {
			continue
		}
		n := 1
		for used["group_"+strconv.Itoa(n)] {
			n++
		}
		f.Groups[i].Key = "group_" + strconv.Itoa(n)
		used[f.Groups[i].Key] = true
	}
	return f
}

// config parses the form into a configuration and returns the fields that
// are not numbers, with Chinese messages; those fields are zero in the
// configuration.
func (f configForm) config() (cycles.Config, map[string]string) {
	errs := map[string]string{}
	number := func(field, v, msg string) float64 {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || v == "" {
			errs[field] = msg
			return 0
		}
		return x
	}
	count := func(field, v, msg string) int {
		n, err := httpx.ParseInt(v)
		if err != nil {
			errs[field] = msg
		}
		return n
	}
	var cfg cycles.Config
	for _, l := range f.Levels {
		cfg.LevelPoints = append(cfg.LevelPoints, number(l.Field, l.Points, "请填写“"+l.Label+"”的分值"))
	}
	sc := &cfg.Score
	sc.DailyWeight = number("score.daily_weight", f.DailyWeight, "请填写日常评价权重（百分比）") / 100
	sc.AnnualWeight = number("score.annual_weight", f.AnnualWeight, "请填写年度评价权重（百分比）") / 100
	sc.MinDailyCount = count("score.min_daily_count", f.MinDailyCount, "请填写日常评价最低数量（整数）")
	sc.AnnualCarriesWhenDailyShort = f.Carry
	for _, g := range f.Groups {
		p := fmt.Sprintf("score.groups[%d].", g.Index)
		sc.Groups = append(sc.Groups, score.Group{Key: g.Key, Name: g.Name,
			Weight:    number(p+"weight", g.Weight, "请填写权重（百分比）") / 100,
			MinSample: count(p+"min_sample", g.MinSample, "请填写最低样本量（整数）")})
	}
	return cfg, errs
}

// addBlankRows appends empty rows for new groups, numbered after the others.
func (f *configForm) addBlankRows() {
	for range blankGroupRows {
		f.Groups = append(f.Groups, groupField{Index: len(f.Groups)})
	}
}

// attachErrors puts each field's message on its row.
func (f *configForm) attachErrors(errs map[string]string) {
	for i := range f.Levels {
		f.Levels[i].Err = errs[f.Levels[i].Field]
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		p := fmt.Sprintf("score.groups[%d].", g.Index)
		g.KeyErr, g.NameErr, g.WeightErr, g.MinSampleErr = errs[p+"key"], errs[p+"name"], errs[p+"weight"], errs[p+"min_sample"]
	}
}

// weightWords restates the rules' weight messages for percentage inputs.
var weightWords = strings.NewReplacer("须在0到1之间", "须在0%到100%之间", "之和须为1", "之和须为100%",
	"年度测评权重", "年度评价权重")

// percentMessages copies errs with the weight messages in percent.
func percentMessages(errs map[string]string) map[string]string {
	out := make(map[string]string, len(errs))
	for k, v := range errs {
		out[k] = weightWords.Replace(v)
	}
	return out
}
