package httpx

import (
	"encoding/base64"
	"html/template"

	"github.com/skip2/go-qrcode"

	"minyi/internal/apperr"
)

// QRDataURL is a QR code of link as an inline PNG for an <img> of a
// printed page (invitation letters): size pixels square. It returns an
// internal error when the link does not fit a QR code.
func QRDataURL(link string, size int) (template.URL, error) {
	png, err := qrcode.Encode(link, qrcode.Medium, size)
	if err != nil {
		return "", apperr.Wrap(apperr.Internal, "二维码生成失败", err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}
