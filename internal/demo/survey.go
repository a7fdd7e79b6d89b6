package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/score"
	"minyi/internal/secure"
	"minyi/internal/surveys"
	"minyi/internal/units"
)

// demoRespondents are the demo survey's respondents: name, group and
// organisation. Experts rate a list of units; everyone else rates all.
var demoRespondents = []struct{ name, group, org string }{
	{"刘建国", score.GroupNPCDeputies, "市第一中学"},
	{"陈秀英", score.GroupNPCDeputies, "红星社区居委会"},
	{"王志强", score.GroupNPCDeputies, "省建工集团"},
	{"李桂兰", score.GroupNPCDeputies, "县人民医院"},
	{"赵明", score.GroupNPCDeputies, "某农业合作社"},
	{"孙丽华", score.GroupCPPCCMembers, "民盟省委会"},
	{"周文斌", score.GroupCPPCCMembers, "省工商联"},
	{"吴海燕", score.GroupCPPCCMembers, "某律师事务所"},
	{"郑国平", score.GroupCPPCCMembers, "省中医院"},
	{"冯晓东", score.GroupPartyReps, "市交通运输局"},
	{"何敏", score.GroupPartyReps, "经开区管委会"},
	{"许卫东", score.GroupPartyReps, "省电力公司"},
	{"高静", score.GroupOrganStaff, "省财政厅"},
	{"林涛", score.GroupOrganStaff, "省统计局"},
	{"马玉梅", score.GroupOrganStaff, "省邮政公司"},
	{"罗斌", score.GroupOrganStaff, "省图书馆"},
	{"梁晨", score.GroupExperts, "省社会科学院"},
	{"宋雅琴", score.GroupExperts, "省行政学院"},
	{"唐凯", score.GroupServiceUsers, "个体工商户"},
	{"韩雪", score.GroupServiceUsers, "某科技公司"},
}

var demoOpinions = []string{"", "", "", "办事效率明显提高，希望保持", "建议进一步精简审批材料", "窗口服务热情周到",
	"政务公开还不够及时", ""}

// seedSurvey makes the survey side of the demo: the cycle of now's year
// (unless one exists), an open anonymous survey in which every default
// group takes part (experts with a list of units), twenty respondents of
// whom twelve submitted, four started and four have not opened their
// link. It returns how many respondents and submissions it made.
func seedSurvey(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, keys *secure.Keys, now time.Time,
	rng *rand.Rand, list []units.Unit) (respondents, submitted int, err error) {
	var sv surveys.Survey
	var tokens []string
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
		cy, err := demoCycle(ctx, tx, cfg, now)
		if err != nil {
			return err
		}
		in := surveys.Input{CycleID: cy.ID, Title: fmt.Sprintf("%d年度部门工作满意度测评", cy.Year), Anonymous: true, AllowOpinion: true,
			Intro:     "为客观评价各部门全年工作作风和服务成效，特邀请您参加本次年度满意度测评。测评结果将作为部门绩效考核“公众评价”的重要依据。",
			Questions: []surveys.Question{{Key: "efficiency"}, {Key: "attitude"}, {Key: "openness"}}}
		for _, g := range cy.Config.Score.Groups {
			in.Groups = append(in.Groups, surveys.Group{Key: g.Key, AllUnits: g.Key != score.GroupExperts})
		}
		if end := time.Date(cy.Year, 12, 31, 18, 0, 0, 0, cfg.Location); end.After(now) {
			in.ClosesAt = &end
		}
		if sv, err = surveys.CreateSurvey(ctx, tx, audit.System, in, now); err != nil {
			return err
		}
		for i, d := range demoRespondents {
			r := surveys.RespondentInput{Name: d.name, Group: d.group, Organisation: d.org,
				Phone: "139" + fmt.Sprintf("%08d", 10000000+i*7919)}
			if d.group == score.GroupExperts {
				for _, u := range list[i%4 : i%4+3] {
					r.UnitIDs = append(r.UnitIDs, u.ID)
				}
			}
			made, _, err := surveys.AddRespondent(ctx, tx, keys, audit.System, sv.ID, r)
			if err != nil {
				return err
			}
			token, err := made.Token(keys)
			if err != nil {
				return err
			}
			tokens = append(tokens, token)
		}
		_, err = surveys.OpenSurvey(ctx, tx, audit.System, sv.ID, now)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	quality := map[int64]float64{}
	for i, u := range list {
		quality[u.ID] = 0.45 + 0.4*float64((i+1)%4)/3
	}
	// Twelve submit, four stop half way, four have not opened the link;
	// every group has someone who submitted.
	started := map[int]bool{3: true, 8: true, 13: true, 17: true}
	unopened := map[int]bool{4: true, 9: true, 14: true, 19: true}
	for i, token := range tokens {
		if unopened[i] {
			continue
		}
		err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
			inv, err := surveys.OpenInvitation(ctx, tx, token)
			if err != nil {
				return err
			}
			var answers []surveys.Answer
			for k, u := range inv.Units {
				if started[i] && k >= len(inv.Units)/2 {
					break
				}
				a := surveys.Answer{UnitID: u.ID, Opinion: demoOpinions[rng.IntN(len(demoOpinions))],
					Answers: map[string]int{surveys.OverallKey: pickLevel(rng, quality[u.ID])}}
				for _, q := range sv.Aspects() {
					a.Answers[q.Key] = pickLevel(rng, quality[u.ID])
				}
				answers = append(answers, a)
			}
			if _, err := surveys.SaveAnswers(ctx, tx, token, answers, now); err != nil {
				return err
			}
			if started[i] {
				return nil
			}
			submitted++
			_, err = surveys.Submit(ctx, tx, token, now, cfg.Location)
			return err
		})
		if err != nil {
			return 0, 0, err
		}
	}
	return len(tokens), submitted, nil
}

// demoCycle returns the cycle of now's year, creating it with the default
// configuration when there is none.
func demoCycle(ctx context.Context, tx pgx.Tx, cfg config.Config, now time.Time) (cycles.Cycle, error) {
	year := now.In(cfg.Location).Year()
	list, _, err := cycles.ListCycles(ctx, tx, cycles.Page{Limit: 500})
	if err != nil {
		return cycles.Cycle{}, err
	}
	for _, c := range list {
		if c.Year == year {
			return c, nil
		}
	}
	y := strconv.Itoa(year)
	in := cycles.CycleInput{Name: y + "年度", Year: year, PeriodStart: y + "-01-01", PeriodEnd: y + "-12-31"}
	return cycles.CreateCycle(ctx, tx, audit.System, in, cycles.DefaultConfig(cfg.LevelPoints))
}
