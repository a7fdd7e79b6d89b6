package overviewapp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/figures"
	"minyi/internal/office"
)

// portalLink is one published thing the portal points to.
type portalLink struct {
	Title string
	Meta  string
	Link  string
}

type portalData struct {
	Title   string
	Signer  string
	Results []portalLink
	Targets []portalLink
	// Cases counts the rectification cases released to the public.
	Cases int
	// Figures are the 好差评 figures of all units this year (FiguresReady
	// when the maintenance has computed them).
	Figures      figures.Year
	FiguresReady bool
}

// portalRows is how many cycles each list of the portal shows.
const portalRows = 10

// PortalPage is the public's front page (/): the final results, the
// approved targets and the released cases the office has made public, and
// how to rate a service. Staff sign in at /login.
func (s *Handlers) PortalPage(c *gin.Context) {
	d := portalData{Title: "政务服务民意公开"}
	var p office.Profile
	err := db.Parallel(s.Pool,
		func(q db.DBTX) (err error) { p, err = office.Find(c, q); return err },
		func(q db.DBTX) error {
			rows, _ := q.Query(c, `SELECT c.id, c.name, p.published_at FROM assessment_publications p
				JOIN assessment_cycles c ON c.id = p.cycle_id
				WHERE p.stage = 'final' AND p.reopened_at IS NULL
					AND NOT EXISTS (SELECT 1 FROM cycle_release_settings r WHERE r.cycle_id = c.id AND NOT r.results_public)
				ORDER BY c.year DESC, p.id DESC LIMIT $1`, portalRows)
			var id int64
			var name string
			var at time.Time
			_, err := pgx.ForEachRow(rows, []any{&id, &name, &at}, func() error {
				d.Results = append(d.Results, portalLink{Title: name + "绩效考核结果", Link: "/results/" + strconv.FormatInt(id, 10),
					Meta: at.In(s.Config.Location).Format("2006年1月2日") + "公布"})
				return nil
			})
			return db.Err(err)
		},
		func(q db.DBTX) error {
			rows, _ := q.Query(c, `SELECT c.id, c.name, count(*)::int FROM target_sheets s
				JOIN assessment_cycles c ON c.id = s.cycle_id
				WHERE s.published_version > 0 GROUP BY c.id, c.name, c.year ORDER BY c.year DESC, c.id DESC LIMIT $1`, portalRows)
			var id int64
			var name string
			var n int
			_, err := pgx.ForEachRow(rows, []any{&id, &name, &n}, func() error {
				d.Targets = append(d.Targets, portalLink{Title: name + "各单位绩效目标", Link: "/targets/" + strconv.FormatInt(id, 10),
					Meta: strconv.Itoa(n) + " 个单位的目标已公开"})
				return nil
			})
			return db.Err(err)
		},
		func(q db.DBTX) error {
			return db.Err(q.QueryRow(c, `SELECT count(*) FROM rectification_cases WHERE released`).Scan(&d.Cases))
		},
		func(q db.DBTX) (err error) { d.Figures, d.FiguresReady, err = figures.LoadTotals(c, q); return err })
	if err != nil {
		s.ErrorPage(c, http.StatusServiceUnavailable, "暂时无法访问", "系统繁忙，请稍后再试。")
		return
	}
	d.Signer = p.Signer()
	c.Header("Cache-Control", "public, max-age=60")
	s.Render(c, http.StatusOK, "public/portal.html", d)
}
