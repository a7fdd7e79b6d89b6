package server

import (
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// proxyWarnEvery is how often at most an instance repeats the warning about
// forwarding headers from an untrusted peer.
const proxyWarnEvery = 10 * time.Minute

// proxyWarner notices requests that carry forwarding headers from a peer
// that TRUSTED_PROXIES does not list. Behind a balancer without
// TRUSTED_PROXIES every citizen gets the balancer's address, so they all
// share one rate-limit counter and one daily cap: an operator must hear of
// it. The warning is logged once, then at most every proxyWarnEvery with
// the number of such requests in between; the state is per instance
// because it is only about this instance's log.
type proxyWarner struct {
	trusted    []netip.Prefix
	last       atomic.Int64 // unix nanoseconds of the last warning
	suppressed atomic.Int64
}

var forwardingHeaders = []string{"X-Forwarded-For", "Forwarded", "X-Real-IP"}

func newProxyWarner(trusted []string) *proxyWarner {
	w := &proxyWarner{}
	for _, t := range trusted {
		t = strings.TrimSpace(t)
		if p, err := netip.ParsePrefix(t); err == nil {
			w.trusted = append(w.trusted, p.Masked())
		} else if a, err := netip.ParseAddr(t); err == nil {
			w.trusted = append(w.trusted, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return w
}

func (w *proxyWarner) isTrusted(peer netip.Addr) bool {
	for _, p := range w.trusted {
		if p.Contains(peer) {
			return true
		}
	}
	return false
}

// check logs the warning when c carries a forwarding header from a peer
// that is not trusted and the last warning is old enough.
func (w *proxyWarner) check(c *gin.Context, log *slog.Logger, now time.Time) {
	header := ""
	for _, h := range forwardingHeaders {
		if c.Request.Header.Get(h) != "" {
			header = h
			break
		}
	}
	if header == "" {
		return
	}
	peer, err := netip.ParseAddr(c.RemoteIP())
	if err != nil || w.isTrusted(peer.Unmap()) {
		return
	}
	last := w.last.Load()
	if last != 0 && now.UnixNano()-last < int64(proxyWarnEvery) || !w.last.CompareAndSwap(last, now.UnixNano()) {
		w.suppressed.Add(1)
		return
	}
	log.Warn("request carries a forwarding header from a peer not in TRUSTED_PROXIES; the header is ignored and "+
		"the peer's address is the client's. Behind a load balancer or reverse proxy, set TRUSTED_PROXIES to its "+
		"addresses, or every citizen shares one rate-limit counter and one daily cap",
		"peer", peer.String(), "header", header, "similar_requests_since_last_warning", w.suppressed.Swap(0))
}
