package units_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// validCredit is a credit code whose check character CreditCheckChar computed
// from the prefix 91350100M000100Y4 (the example code printed in GB 32100
// guides, 91350100M000100Y43).
const validCredit = "91350100M000100Y43"

func TestCreditCheckChar(t *testing.T) {
	if c, ok := units.CreditCheckChar(validCredit[:17]); !ok || c != validCredit[17] {
		t.Fatalf("check char of %s = %q %v, want %q", validCredit[:17], c, ok, validCredit[17])
	}
	for code, want := range map[string]string{
		validCredit:          "",
		"91350100M000100Y44": "统一社会信用代码校验位不正确",
		"91350100M000100Y4":  "统一社会信用代码须为18位",
		"91350100M000I00Y43": "统一社会信用代码只能含数字和大写字母（不含I、O、Z、S、V）",
	} {
		if got := units.CreditCodeProblem(code); got != want {
			t.Errorf("CreditCodeProblem(%s) = %q, want %q", code, got, want)
		}
	}
	for code, ok := range map[string]bool{"110101": true, "110101001001": true, "11010": false, "11010a": false, "1101010010": false} {
		if got := units.AreaCodeProblem(code) == ""; got != ok {
			t.Errorf("AreaCodeProblem(%s) ok = %v, want %v", code, got, ok)
		}
	}
}

func TestUnitCodesStored(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	u := createUnit(t, pool, units.UnitInput{Name: "市市场监督管理局", Category: categories[0],
		CreditCode: " " + "91350100m000100y43" + " ", AreaCode: "350100"})
	if u.CreditCode == nil || *u.CreditCode != validCredit || u.AreaCode == nil || *u.AreaCode != "350100" {
		t.Fatalf("codes %v %v", u.CreditCode, u.AreaCode)
	}
	// A duplicate credit code, a bad check character and a bad area code.
	err := inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.CreateUnit(ctx, tx, actor, units.UnitInput{Name: "另一单位", Category: categories[0], CreditCode: validCredit}, categories)
		return err
	})
	wantInvalid(t, err, "credit_code")
	if msg := apperr.From(err).Fields["credit_code"]; msg != "统一社会信用代码“"+validCredit+"”已被其他单位使用" {
		t.Errorf("duplicate message %q", msg)
	}
	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.CreateUnit(ctx, tx, actor, units.UnitInput{Name: "另一单位", Category: categories[0],
			CreditCode: "91350100M000100Y44", AreaCode: "35010"}, categories)
		return err
	})
	wantInvalid(t, err, "credit_code", "area_code")
	// Clearing both codes.
	err = inTx(t, pool, func(tx pgx.Tx) (err error) {
		u, err = units.UpdateUnit(ctx, tx, actor, u.ID, units.UnitInput{Name: u.Name, Category: u.Category}, categories)
		return err
	})
	if err != nil || u.CreditCode != nil || u.AreaCode != nil {
		t.Fatalf("cleared: %v %v %v", err, u.CreditCode, u.AreaCode)
	}
}
