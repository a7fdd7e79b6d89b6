package httpx

import (
	"io"
	"mime/multipart"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
)

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
