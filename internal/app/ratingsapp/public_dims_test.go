package ratingsapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestQRFormNamesItemAndStage(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	ctx := context.Background()
	if _, err := f.App.Pool.Exec(ctx, `INSERT INTO service_items (unit_id, code, name) VALUES ($1, 'SX-7', '不动产登记'),
		($1, 'SX-OFF', '已停用事项')`, f.UnitID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Pool.Exec(ctx, `UPDATE service_items SET retired_at = now() - interval '1 day' WHERE code = 'SX-OFF'`); err != nil {
		t.Fatal(err)
	}
	d := f.Device("甲")
	res, body := d.Do(t, "GET", "/q/"+f.Code+"?item=SX-7&stage=3", nil)
	fixtures.WantPublicPage(t, res, body, http.StatusOK, "评价事项：", "不动产登记", "办结",
		`name="item_code" value="SX-7"`, `name="stage" value="3"`)

	for _, q := range []string{"?item=NOPE", "?item=SX-OFF", "?stage=9", "?item=%3Cb%3E"} {
		res, body := f.Device("乙").Do(t, "GET", "/q/"+f.Code+q, nil)
		fixtures.WantPublicPage(t, res, body, http.StatusNotFound, "评价事项无效")
	}

	// A forged item in the form is refused with the form kept.
	res, body = d.Rate(t, f.Code, fixtures.RatingForm("5", "token", "tok-x", "item_code", "NOPE"))
	fixtures.WantPublicPage(t, res, body, http.StatusUnprocessableEntity, "本单位的事项目录中没有事项编码“NOPE”")
	if n := f.Stored(t, f.UnitID); n != 0 {
		t.Fatalf("%d ratings stored with an unknown item", n)
	}

	res, body = d.Rate(t, f.Code, fixtures.RatingForm("2", "token", "tok-1", "item_code", "SX-7", "stage", "3",
		"reasons", "服务态度差", "reasons", "等候时间长"))
	fixtures.WantThanks(t, res, body)
	var item, stage, eva string
	var pf int
	var codes []string
	if err := f.App.Pool.QueryRow(ctx, `SELECT item_code, stage, `+ratings.PFSQL("r")+`, reason_codes, eva_version
		FROM ratings r WHERE unit_id = $1`, f.UnitID).Scan(&item, &stage, &pf, &codes, &eva); err != nil {
		t.Fatal(err)
	}
	if item != "SX-7" || stage != "3" || pf != ratings.PFQR || strings.Join(codes, ",") != "101,103" || eva != ratings.EvaVersion {
		t.Errorf("stored %s %s pf %d codes %v version %s", item, stage, pf, codes, eva)
	}
}

// The QR form asks, optionally, as whom the citizen did the business (办事身份,
// the national record's userProp): the answer is stored with the rating, a
// value the form does not offer brings the form back with the rest kept,
// and a citizen who does not say stores none.
func TestQRFormAsksApplicantType(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	ctx := context.Background()
	d := f.Device("甲")
	res, body := d.Do(t, "GET", "/q/"+f.Code, nil)
	fixtures.WantPublicPage(t, res, body, http.StatusOK, "留言、电话或办事身份（选填）", "您是以什么身份办事的？",
		`name="applicant_type" value="1"`, "个人", `name="applicant_type" value="2"`, "企业或其他组织")

	res, body = d.Rate(t, f.Code, fixtures.RatingForm("4", "token", "tok-a", "comment", "窗口很耐心", "applicant_type", "3"))
	fixtures.WantPublicPage(t, res, body, http.StatusUnprocessableEntity, "请选择“个人”或“企业或其他组织”，也可不选", "窗口很耐心")
	if !strings.Contains(body, `id="more" open`) {
		t.Error("the refused form keeps the section of the applicant type closed")
	}
	if n := f.Stored(t, f.UnitID); n != 0 {
		t.Fatalf("%d ratings stored with an applicant type the form does not offer", n)
	}

	res, body = d.Rate(t, f.Code, fixtures.RatingForm("4", "token", "tok-a", "comment", "窗口很耐心", "applicant_type", "2"))
	fixtures.WantThanks(t, res, body)
	res, body = f.Device("乙").Rate(t, f.Code, fixtures.RatingForm("5", "token", "tok-b"))
	fixtures.WantThanks(t, res, body)
	var got string
	if err := f.App.Pool.QueryRow(ctx, `SELECT string_agg(client_id || '=' || coalesce(applicant_type, 0), ',' ORDER BY client_id)
		FROM ratings WHERE unit_id = $1`, f.UnitID).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "tok-a=2,tok-b=0" {
		t.Errorf("stored applicant types %s, want tok-a 2 (法人) and tok-b none", got)
	}
}
