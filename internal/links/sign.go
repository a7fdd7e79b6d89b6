// Package links holds the signed rating links of the online channel
// (一事一评): the online integrations (线上评价渠道: a 政务服务网, an app)
// that open a unit's rating page for one case, their HMAC-SHA256 signing
// keys, and the link's canonical string, signature and checks. A link
// names the unit, the case (办件编号), the service item and stage, an
// expiry and the key that signed it; docs/api.md documents the format.
package links

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"minyi/internal/safetext"
)

// The link's parameters.
const (
	ParamUnit  = "unit"  // the unit's short code or numeric id
	ParamCase  = "case"  // the 办件编号
	ParamItem  = "item"  // the 事项编码 (optional)
	ParamStage = "stage" // the stage code (optional)
	ParamExp   = "exp"   // the expiry, unix seconds
	ParamKid   = "kid"   // the signing key's id
	ParamSig   = "sig"   // hex HMAC-SHA256 of the canonical string
)

// signed are the parameters the signature covers; a link carrying any
// other parameter is refused, so nothing can be added to a signed link.
var signed = []string{ParamCase, ParamExp, ParamItem, ParamKid, ParamStage, ParamUnit}

// MaxLifetime is how far ahead a link's expiry may lie: a link is meant
// to be made when the case is shown to the applicant, not kept for ever.
const MaxLifetime = 31 * 24 * time.Hour

// Link is a rating link's content.
type Link struct {
	Unit, Case, Item, Stage string
	Expires                 time.Time
	KeyID                   string
}

// Values are the link's parameters without the signature; empty item and
// stage are left out.
func (l Link) Values() url.Values {
	v := url.Values{}
	v.Set(ParamUnit, l.Unit)
	v.Set(ParamCase, l.Case)
	if l.Item != "" {
		v.Set(ParamItem, l.Item)
	}
	if l.Stage != "" {
		v.Set(ParamStage, l.Stage)
	}
	v.Set(ParamExp, strconv.FormatInt(l.Expires.Unix(), 10))
	v.Set(ParamKid, l.KeyID)
	return v
}

// Canonical is the string a link's signature covers: every parameter
// present except sig, sorted by name, each as name=value with the value
// as sent (decoded, not re-encoded), joined by a line feed. Values never
// hold a line feed (Parse refuses control characters), so the string is
// unambiguous, and a signer needs no URL encoder that matches Go's.
func Canonical(v url.Values) string {
	names := make([]string, 0, len(v))
	for k := range v {
		if k != ParamSig {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(k + "=" + v.Get(k))
	}
	return b.String()
}

// Sign returns the hex HMAC-SHA256 of the canonical string under secret
// (the secret's text as bytes).
func Sign(secret, canonical string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(canonical))
	return hex.EncodeToString(m.Sum(nil))
}

// URL returns the link signed with secret, relative to base (the public
// address, e.g. https://minyi.example.gov.cn).
func (l Link) URL(base, secret string) string {
	v := l.Values()
	v.Set(ParamSig, Sign(secret, Canonical(v)))
	return strings.TrimRight(base, "/") + "/l?" + v.Encode()
}

// Problem is why a link is refused, in words for the citizen.
type Problem string

// The ways a link is refused.
const (
	BadLink    Problem = "评价链接不完整或有误，请从办事平台重新打开评价页面。"
	Expired    Problem = "评价链接已过期，请从办事平台重新打开评价页面。"
	UnknownKey Problem = "评价链接的签名密钥无效或已停用，请从办事平台重新打开评价页面。"
	BadSig     Problem = "评价链接签名校验失败，链接可能被修改，请从办事平台重新打开评价页面。"
	Disabled   Problem = "该办事平台的评价渠道已停用，请通过其他方式评价。"
)

var (
	unitRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	kidRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{4,40}$`)
	hexRE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// MaxCaseNo is the longest 办件编号 a link may carry (as ratings take).
const MaxCaseNo = 64

// Parse reads a link's parameters and checks their form and expiry at
// now; it does not check the key or the signature (Verify). A refused
// link comes back with its Problem.
func Parse(q url.Values, now time.Time) (Link, Problem) {
	for k, vs := range q {
		if (k != ParamSig && !slices.Contains(signed, k)) || len(vs) != 1 || strings.ContainsFunc(vs[0], isControl) {
			return Link{}, BadLink
		}
	}
	l := Link{Unit: q.Get(ParamUnit), Case: strings.TrimSpace(q.Get(ParamCase)), Item: q.Get(ParamItem),
		Stage: q.Get(ParamStage), KeyID: q.Get(ParamKid)}
	exp, err := strconv.ParseInt(q.Get(ParamExp), 10, 64)
	if err != nil || !unitRE.MatchString(l.Unit) || l.Case == "" || len([]rune(l.Case)) > MaxCaseNo || !safetext.Valid(l.Case) ||
		l.Case != q.Get(ParamCase) || !kidRE.MatchString(l.KeyID) || !hexRE.MatchString(q.Get(ParamSig)) {
		return Link{}, BadLink
	}
	l.Expires = time.Unix(exp, 0)
	if !now.Before(l.Expires) {
		return l, Expired
	}
	if l.Expires.Sub(now) > MaxLifetime {
		return l, BadLink
	}
	return l, ""
}

// Verify reports whether q's sig is the signature of q's canonical string
// under secret, comparing in constant time.
func Verify(q url.Values, secret string) bool {
	want := Sign(secret, Canonical(q))
	return hmac.Equal([]byte(want), []byte(q.Get(ParamSig)))
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
