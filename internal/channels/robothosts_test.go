package channels_test

import (
	"testing"

	"minyi/internal/channels"
)

// The allow-list compares whole origins: scheme, host and port.
func TestRobotHostsCompareWholeOrigins(t *testing.T) {
	h, err := channels.ParseRobotHosts(" zwwx.example.gov.cn , http://10.1.2.3:8080 ")
	if err != nil {
		t.Fatal(err)
	}
	for raw, ok := range map[string]bool{
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x":  true,
		"https://oapi.dingtalk.com/robot/send?access_token=x":     true,
		"https://OAPI.dingtalk.com:443/robot/send?access_token=x": true,
		"https://zwwx.example.gov.cn/cgi-bin/webhook/send?key=x":  true,
		"http://10.1.2.3:8080/robot/send":                         true,
		"http://zwwx.example.gov.cn/cgi-bin/webhook/send?key=x":   false,
		"https://zwwx.example.gov.cn:8443/x":                      false,
		"http://10.1.2.3/robot/send":                              false,
		"https://oapi.dingtalk.com.evil.example/robot/send":       false,
		"https://user:pass@oapi.dingtalk.com/robot/send":          false,
		"/robot/send": false,
	} {
		if got := h.Check(raw) == nil; got != ok {
			t.Errorf("%s: allowed %v, want %v", raw, got, ok)
		}
	}
	if _, err := channels.ParseRobotHosts("ftp://x.example, https://x.example/path"); err == nil {
		t.Error("accepted an entry that is not an origin")
	}
	if got := channels.MaskURL("https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789"); got !=
		"https://oapi.dingtalk.com/robot/send?access_token=****6789" {
		t.Errorf("masked %q", got)
	}
}
