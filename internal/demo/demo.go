// Package demo seeds a demonstration dataset: a dozen units across the
// categories, their halls and windows, terminals, a few weeks of ratings,
// the year's assessment cycle with an open annual survey and some answers,
// and staff logins.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/units"
	"minyi/internal/users"
)

// Login is a demo account.
type Login struct{ Username, Password, Note string }

// Result says what Seed made.
type Result struct {
	Units, Points, Terminals, Ratings int
	// Respondents of the demo survey, and how many of them submitted.
	Respondents, Submitted int
	// Entries are the assessment scores given on the demo scheme's leaves.
	Entries int
	// Cases are the rectification cases opened, Sheets the target sheets.
	Cases, Sheets int
	Logins        []Login
}

var demoUnits = []struct{ name, code, category string }{
	{"省人民政府办公厅", "GOV", "党政综合类"},
	{"省发展和改革委员会", "DRC", "经济发展类"},
	{"省商务厅", "COM", "经济发展类"},
	{"省市场监督管理局", "SAMR", "执法监督类"},
	{"省生态环境厅", "ENV", "执法监督类"},
	{"省公安厅", "PSB", "执法监督类"},
	{"省人力资源和社会保障厅", "HRSS", "社会服务类"},
	{"省卫生健康委员会", "HEALTH", "社会服务类"},
	{"省医疗保障局", "MED", "社会服务类"},
	{"省政务服务管理办公室", "GSO", "社会服务类"},
	{"省总工会", "UNION", "人民团体和民主党派类"},
	{"国家税务总局本省税务局", "TAX", "中央驻赣类"},
}

// complaints are what citizens write with a 差评.
var complaints = []string{"办事等了很久，希望改进", "窗口人员态度生硬，问了两遍才说清楚", "材料清单和窗口要求不一致，跑了两趟",
	"排队一个多小时，窗口只开了两个", "自助机坏了没人管"}

var comments = []string{"", "", "", "窗口工作人员很耐心", "办理很快，一次办好", "排队时间有点长", "指引清楚，点赞",
	"材料要求说明不够清楚", "希望增加自助机", ""}

// Seed fills an empty database with the demo dataset; categories not in
// the configuration are mapped onto the first configured category. It
// refuses to run when units already exist.
func Seed(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, keys *secure.Keys, now time.Time) (Result, error) {
	var res Result
	n, err := units.CountUnits(ctx, pool)
	if err != nil {
		return res, err
	}
	if n > 0 {
		return res, fmt.Errorf("demo: the database already has %d units; seed an empty database", n)
	}
	if _, err := pool.Exec(ctx, `SELECT minyi_ensure_rating_partitions($1::date, 3, $2)`,
		now.AddDate(0, -2, 0), cfg.Location.String()); err != nil {
		return res, db.Err(err)
	}
	type made struct {
		unit      units.Unit
		points    []units.ServicePoint
		terminals []units.Terminal
	}
	var all []made
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
		for i, d := range demoUnits {
			cat := d.category
			if !contains(cfg.UnitCategories, cat) {
				cat = cfg.UnitCategories[i%len(cfg.UnitCategories)]
			}
			u, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: d.name, ShortCode: d.code, Category: cat}, cfg.UnitCategories)
			if err != nil {
				return err
			}
			m := made{unit: u}
			hall, err := units.CreatePoint(ctx, tx, audit.System, u.ID, units.PointInput{Name: "政务服务大厅", Kind: units.KindHall})
			if err != nil {
				return err
			}
			m.points = append(m.points, hall)
			for w := 1; w <= 2; w++ {
				p, err := units.CreatePoint(ctx, tx, audit.System, u.ID, units.PointInput{Name: fmt.Sprintf("%d号窗口", w), Kind: units.KindWindow})
				if err != nil {
					return err
				}
				m.points = append(m.points, p)
				t, _, err := units.CreateTerminal(ctx, tx, audit.System, u.ID, units.TerminalInput{Name: fmt.Sprintf("%d号窗口评价器", w), PointID: &p.ID})
				if err != nil {
					return err
				}
				m.terminals = append(m.terminals, t)
			}
			all = append(all, m)
		}
		logins := []struct {
			Login
			role string
			unit *int64
		}{
			{Login{"office", "office-demo-2026", "绩效办（全部单位，可回访）"}, users.RoleOffice, nil},
			{Login{"unit-hrss", "unit-demo-2026", "单位账号：" + all[6].unit.Name}, users.RoleUnit, &all[6].unit.ID},
			{Login{"leader", "leader-demo-2026", "领导（只读，查看全部单位）"}, users.RoleLeader, nil},
		}
		for _, l := range logins {
			if _, err := users.CreateUser(ctx, tx, audit.System, users.NewUser{Username: l.Username, Password: l.Password, Role: l.role, UnitID: l.unit}); err != nil {
				return err
			}
			res.Logins = append(res.Logins, l.Login)
		}
		// Every other unit gets the account the office hands out: an
		// initial password not yet changed (shown on the accounts page as
		// 待改初始密码).
		_, err := users.IssueUnitAccounts(ctx, tx, audit.System)
		return err
	})
	if err != nil {
		return res, err
	}
	// Four weeks of ratings, written through the same writer the server uses.
	w := ratings.NewWriter(pool, 2, 1000, cfg.Location, nilLogger())
	defer w.Close()
	rng := rand.New(rand.NewPCG(uint64(now.Unix()), 7))
	var batch []ratings.NewRating
	for i, m := range all {
		quality := 0.55 + 0.35*float64((i+2)%4)/3 // units differ; the demo unit account's (6) among the weaker
		for day := 27; day >= 0; day-- {
			perDay := 3 + rng.IntN(8)
			for k := 0; k < perDay; k++ {
				at := now.AddDate(0, 0, -day).Add(-time.Duration(rng.IntN(8*3600)) * time.Second)
				if at.After(now) {
					at = now.Add(-time.Minute)
				}
				level := pickLevel(rng, quality)
				r := ratings.NewRating{UnitID: m.unit.ID, Level: level, Points: cfg.PointsFor(level), RatedAt: at, RateChecked: true}
				if rng.IntN(2) == 0 {
					t := m.terminals[rng.IntN(len(m.terminals))]
					tid := t.ID
					r.Channel, r.TerminalID, r.PointID, r.Origin = ratings.ChannelTerminal, &tid, t.PointID, t.ID
					r.ClientID = fmt.Sprintf("demo-%d-%d-%d", t.ID, day, k)
					r.CaseNo = fmt.Sprintf("BJ%s%05d", at.Format("20060102"), rng.IntN(100000))
					r.WindowNo = fmt.Sprintf("%d", 1+rng.IntN(2))
					r.StaffNo = fmt.Sprintf("A%03d", rng.IntN(40))
				} else {
					p := m.points[rng.IntN(len(m.points))]
					r.Channel, r.PointID, r.QRCode = ratings.ChannelQR, &p.ID, p.QRCode
					r.ID = ratings.NewQRID(at) // as the QR form makes it: the reference derives from it
					r.Comment = comments[rng.IntN(len(comments))]
					r.ClientHash = keys.Hash("client", fmt.Sprintf("10.%d.%d.%d", rng.IntN(255), rng.IntN(255), rng.IntN(255)))
					if rng.IntN(5) == 0 {
						phone := fmt.Sprintf("13%d%08d", rng.IntN(10), rng.IntN(100000000))
						r.PhoneEnc, r.PhoneMask = keys.Encrypt(phone), secure.MaskPhone(phone)
					}
				}
				if ratings.NeedsReasons(level) {
					r.Reasons = []string{cfg.RatingReasons[rng.IntN(len(cfg.RatingReasons))]}
					r.Comment = complaints[rng.IntN(len(complaints))]
				}
				batch = append(batch, r)
			}
		}
	}
	for start := 0; start < len(batch); start += 500 {
		end := min(start+500, len(batch))
		out, err := w.Write(ctx, batch[start:end])
		if err != nil {
			return res, err
		}
		for _, o := range out {
			if o.Status == ratings.Created {
				res.Ratings++
			}
		}
	}
	res.Units = len(all)
	list := make([]units.Unit, len(all))
	for i, m := range all {
		res.Points += len(m.points)
		res.Terminals += len(m.terminals)
		list[i] = m.unit
	}
	res.Respondents, res.Submitted, err = seedSurvey(ctx, pool, cfg, keys, now, rng, list)
	if err != nil {
		return res, err
	}
	res.Entries, err = seedAssessment(ctx, pool, cfg, now, rng, list)
	if err != nil {
		return res, err
	}
	// 省口岸办 was graded last year and abolished since (abolished.go).
	port, err := createAbolishedUnit(ctx, pool, cfg, lastYearOf(now, cfg))
	if err != nil {
		return res, err
	}
	last, err := seedLastYear(ctx, pool, cfg, now, rng, append(slices.Clip(list), port))
	if err != nil {
		return res, err
	}
	if err := abolishUnit(ctx, pool, cfg, now, last.Year, port, all[2].unit); err != nil {
		return res, err
	}
	res.Units++
	if _, err = seedInstruments(ctx, pool, cfg, keys, now, list); err != nil {
		return res, err
	}
	// The demo unit account's unit first: it gets a case in every state.
	ids := []int64{all[6].unit.ID}
	for _, u := range list {
		if u.ID != all[6].unit.ID {
			ids = append(ids, u.ID)
		}
	}
	res.Cases, err = seedCases(ctx, pool, cfg, now, ids)
	if err != nil {
		return res, err
	}
	if res.Sheets, err = seedTargets(ctx, pool, cfg, now, ids); err != nil {
		return res, err
	}
	if err := seedSelfEval(ctx, pool, cfg, now, ids); err != nil {
		return res, err
	}
	return res, seedChecksAndUses(ctx, pool, cfg, now, list, last.ID)
}

func pickLevel(rng *rand.Rand, quality float64) int {
	x := rng.Float64()
	switch {
	case x < quality:
		return 5
	case x < quality+0.2:
		return 4
	case x < quality+0.3:
		return 3
	case x < quality+0.38:
		return 2
	}
	return 1
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
