package units

import (
	"strings"
)

// creditAlphabet is the GB 32100-2015 character set of the unified social
// credit code, in the order of the values 0–30 (no I, O, Z, S, V).
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCreditCode trims spaces and upper-cases a credit code.
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// CreditCheckChar returns the check character of the first 17 characters of
// a credit code, or false when one is outside the alphabet.
func CreditCheckChar(prefix string) (byte, bool) {
	if len(prefix) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, prefix[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31], true
}

// CreditCodeProblem returns what is wrong with a normalized credit code, in
// the words shown to staff, or "" when it is valid.
func CreditCodeProblem(code string) string {
	if len(code) != 18 {
		return "统一社会信用代码须为18位"
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(creditAlphabet, code[i]) < 0 {
			return "统一社会信用代码只能含数字和大写字母（不含I、O、Z、S、V）"
		}
	}
	if c, _ := CreditCheckChar(code[:17]); c != code[17] {
		return "统一社会信用代码校验位不正确"
	}
	return ""
}

// AreaCodeProblem returns what is wrong with a trimmed division code, or ""
// when it has 6 or 12 digits.
func AreaCodeProblem(code string) string {
	if len(code) != 6 && len(code) != 12 {
		return "区划代码须为6位或12位数字"
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "区划代码须为6位或12位数字"
		}
	}
	return ""
}
