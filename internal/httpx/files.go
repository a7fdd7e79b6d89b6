package httpx

import (
	"fmt"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
)

// Attachment sets Content-Disposition for a download named name, with an
// ASCII fallback for old clients (RFC 6266, RFC 5987).
func Attachment(c *gin.Context, fallback, name string) {
	c.Header("Content-Disposition", `attachment; filename="`+fallback+`"; filename*=UTF-8''`+rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 value: every byte but the
// attr-chars is escaped.
func rfc5987(s string) string {
	const keep = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < 0x80 && (ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			strings.IndexByte(keep, ch) >= 0) {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// FormFile reads the optional file of a multipart form field, of at most
// max bytes (else invalid on the field with tooBig): ok is false when
// none was chosen.
func FormFile(c *gin.Context, field string, max int64, tooBig string) (name string, data []byte, ok bool, err error) {
	fh, ferr := c.FormFile(field)
	if ferr != nil || fh.Size == 0 {
		return "", nil, false, nil
	}
	data, err = ReadFormFile(fh, field, max, tooBig)
	if err != nil {
		return "", nil, false, err
	}
	return fh.Filename, data, true, nil
}

// ReadFormFile reads an uploaded file of a form field, refusing one over
// max bytes as invalid on the field with the message tooBig.
func ReadFormFile(fh *multipart.FileHeader, field string, max int64, tooBig string) ([]byte, error) {
	if fh.Size > max {
		return nil, apperr.InvalidField(field, tooBig)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.InvalidField(field, "文件读取失败，请重新上传")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, apperr.InvalidField(field, "文件读取失败，请重新上传")
	}
	return data, nil
}
