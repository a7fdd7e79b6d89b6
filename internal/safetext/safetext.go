// Package safetext decides whether a piece of text from outside can be
// stored and shown as it is: valid UTF-8 without NUL or other control
// characters. Postgres refuses NUL and invalid UTF-8 in text columns
// (SQLSTATE 22021), so text that passes here is text Postgres stores;
// the other control characters are refused because no form, device or
// spreadsheet has a legitimate use for them and they garble pages and
// exports. Tab, line feed and carriage return are ordinary text.
package safetext

import "unicode/utf8"

// Message is the Chinese reason given for text this package refuses.
const Message = "含有无法识别的字符（如空字符、控制字符或乱码），请删除后重新输入"

// Valid reports whether s is valid UTF-8 with no control character other
// than tab, line feed and carriage return (no NUL, no other C0 control,
// no DEL).
func Valid(s string) bool {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}

// All reports whether every string is Valid.
func All(list ...string) bool {
	for _, s := range list {
		if !Valid(s) {
			return false
		}
	}
	return true
}
