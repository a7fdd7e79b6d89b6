package ratingsapp

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/ratings"
	"minyi/internal/units"
)

// networkCacheTTL is how long an instance uses its copy of the registered
// hall networks; a change made on another instance applies after it.
const networkCacheTTL = 10 * time.Second

// networkCache keeps every registered hall network in memory, so that
// finding a rating's daily cap costs the write path no query. The list is
// small (a few per hall) and read whole.
type networkCache struct {
	mu     sync.Mutex
	list   []units.Network
	loaded time.Time
}

// get returns the networks, reading them again when the copy is older than
// networkCacheTTL. When that read fails the old copy stays in use (a
// rating's write needs Postgres anyway) and is tried again after the TTL.
func (nc *networkCache) get(ctx context.Context, s *Handlers) []units.Network {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	now := time.Now()
	if !nc.loaded.IsZero() && now.Sub(nc.loaded) < networkCacheTTL {
		return nc.list
	}
	qctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	list, err := units.ListNetworks(qctx, s.Pool, 0)
	if err != nil {
		s.Log.Warn("could not read hall networks; using the last copy", "err", err)
	} else {
		nc.list = list
	}
	nc.loaded = now
	return nc.list
}

// forget makes the next get read the networks again, after this instance
// changed them.
func (nc *networkCache) forget() {
	nc.mu.Lock()
	nc.loaded = time.Time{}
	nc.mu.Unlock()
}

// dailyCap is the cap a QR rating of the target from this client counts
// against: the registered hall network its address lies in, or else its
// own address (an IPv6 /64), with RATE_PUBLIC_DAILY_PER_ADDRESS.
func (s *Handlers) dailyCap(c *gin.Context, t units.CodeTarget) ratings.DailyCap {
	ip := c.ClientIP()
	if addr, err := netip.ParseAddr(ip); err == nil {
		if n, ok := units.MatchNetwork(s.networks.get(c, s), t.UnitID, t.PointID, addr); ok {
			return ratings.DailyCap{Source: []byte("net:" + strconv.FormatInt(n.ID, 10)), Limit: n.DailyCap,
				Label: n.Network.String(), NetworkID: n.ID}
		}
	}
	// Half the keyed hash keeps the counter's index small; 128 bits do not
	// collide among a day's addresses.
	src := units.AddressSource(ip)
	return ratings.DailyCap{Source: s.Keys.Hash("cap", src)[:16], Limit: s.Config.RatePublicDailyPerAddress, Label: src}
}
