package users

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages for refused passwords.
const (
	msgCommonPassword   = "密码过于常见，容易被猜中，请换一个"
	msgUsernamePassword = "密码不能与用户名相同，也不能只在用户名后加数字或符号"
)

// commonPasswords are the passwords attackers try first: the top of public
// leak lists (RockYou, the 2011 CSDN leak, yearly "worst password" lists),
// keyboard walks, number runs, and the Chinese favourites (love numbers
// such as 5201314 "我爱你一生一世", pinyin such as woaini and wodemima,
// lucky 6s and 8s, common surnames with digits). Only entries of eight
// characters or more are listed: shorter ones fail the length rule anyway.
// They are compared in lower case.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Fields(commonPasswordList) {
		m[p] = true
	}
	return m
}()

const commonPasswordList = `
12345678 123456789 1234567890 0123456789 01234567 87654321 987654321 9876543210 0987654321 11111111 111111111
1111111111 00000000 000000000 0000000000 22222222 33333333 44444444 55555555 66666666 666666666 77777777
88888888 888888888 99999999 12121212 12341234 11223344 11112222 12344321 1234554321 123454321 12345678910
123123123 123321123 123456123 123412345 112233445566 147258369 147852369 159357456 159753456 321654987
369258147 741852963 789456123 963852741 123654789 31415926 314159265 10101010 13131313 20202020 19841984
19851985 19861986 19871987 19881988 19891989 19901990 19911991 19921992 19931993 20082008 20102010 20112011
20122012 19491001 20000101 19900101 110110110 119119119 12345679 12345687 99998888 88886666 66668888 12301230
5201314520 1314520520 520520520 520131400 584131420 13145200 13141314 52013145 5201314a 1314520a a5201314
qq5201314 aini1314 woaini1314 woaini520 woaini123 woaini12345 iloveyou1314 520woaini wodemima mima1234
mima123456 nihao123 nihaonihao woshishui zhangwei wangfang liuyang1 zhang123 zhang123456 wang1234 wang123456
li123456 chen123456 liu123456 yang123456 huang123 zhao1234 qq123456 qq123456789 qq666666 qq888888 a123456789
a12345678 a1234567 abc12345 abc123456 abcd1234 aa123456 aaa123456 a1b2c3d4 a1b2c3d4e5 1a2b3c4d 123456aa
123456abc 123456qq 12345678a 123456789a 123456asd 123456qwe 123456zxc 123456ab 1234abcd 123abc123 abc123abc
asd123456 zxc123456 qwe123456 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y q1w2e3r4 q1w2e3r4t5 1qaz2wsx 1qaz2wsx3edc
1qazxsw2 zaq12wsx zaq1xsw2 1qaz@wsx 1qaz!qaz !qaz2wsx qazwsxedc qazwsx123 qwertyui qwertyuiop qwerty123
qwerty12 qwer1234 asdfghjk asdfghjkl asdf1234 asdfasdf asdasdasd zxcvbnm1 zxcvbnm123 zxcvbnm, 12qwaszx
qweasdzxc 123qweasd qweqweqwe qwe123qwe 1234qwer qwer@1234 asdf@1234 zxcv1234 q1w2e3r4t5y6 1q2w3e4r! password
password1 password12 password123 password1234 password! password1! passw0rd p@ssw0rd p@ssword p@ssw0rd1
p@ssw0rd! passw0rd! pass1234 pass12345 pass@123 pass@word mypassword iloveyou iloveyou1 iloveyou2 iloveyou!
loveyou1 ilovechina lovelove sunshine sunshine1 princess princess1 football football1 baseball baseball1
basketball welcome1 welcome123 trustno1 superman superman1 starwars whatever computer jennifer michael1
jordan23 liverpool chelsea1 arsenal1 letmein1 letmein123 babygirl babygirl1 monkey12 dragon12 shadow12
master12 charlie1 abcdefgh abcdefg1 abcdefg123 abcd12345 asdfjkl; 1234asdf 12345qwert qwert12345 12345abc
admin123 admin1234 admin12345 admin123456 admin888 admin@123 admin!@# administrator root1234 root123456
root@123 system123 manager1 test1234 test12345 test123456 guest123 changeme changeme1 default1 sa123456
user1234 user123456 111111aa aaaaaa11 aa111111 a1111111 aaaa1111 88888888a 1q1q1q1q 1a1a1a1a aa112233
qq112233 12345678q 123456789q 123456789. 12345678. 123456.. aaaaaaaa qqqqqqqq asdfqwer 1234567a abcde12345
dearbook xiazhili mimamima 7758521a 147258369a
`

// WeakPassword returns why password may not be used by username, or "" when
// it may: it is one of the common passwords (in any letter case), a single
// character repeated, or the username itself, alone or followed only by
// digits and symbols. Length and character rules are Validate's.
func WeakPassword(username, password string) string {
	p := strings.ToLower(password)
	if u := strings.ToLower(username); u != "" && strings.HasPrefix(p, u) &&
		strings.IndexFunc(p[len(u):], unicode.IsLetter) < 0 {
		return msgUsernamePassword
	}
	if commonPasswords[p] || repeatsOneRune(p) {
		return msgCommonPassword
	}
	return ""
}

// repeatsOneRune reports whether s is one character repeated.
func repeatsOneRune(s string) bool {
	first, size := utf8.DecodeRuneInString(s)
	return size > 0 && strings.Trim(s, string(first)) == ""
}
