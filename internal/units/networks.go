package units

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
)

// Limits of hall networks.
const (
	// MaxNetworkCap is the highest daily cap of a network (the schema's
	// CHECK says the same).
	MaxNetworkCap = 100_000
	// MaxNetworkName is the longest name, in characters.
	MaxNetworkName = 50
	// MaxNetworksPerUnit is how many networks a unit and its service
	// points may register together.
	MaxNetworksPerUnit = 100
	// minBits4 and minBits6 are the widest ranges accepted: a /16 of IPv4
	// and a /32 of IPv6; anything wider is a carrier's, not a hall's.
	minBits4, minBits6 = 16, 32
)

// Network is a hall's own network: the public addresses where citizens
// rate over the hall's Wi-Fi, registered on a unit (every QR code of the
// unit) or on one service point (that point's QR code), with a daily cap
// of its own on counted ratings, shared by every address of the range, in
// place of the per-address cap. Only the office sees networks.
type Network struct {
	ID        int64        `json:"id" db:"id"`
	UnitID    int64        `json:"unit_id" db:"unit_id"`
	PointID   *int64       `json:"point_id" db:"point_id"`
	PointName *string      `json:"point_name" db:"point_name"`
	Network   netip.Prefix `json:"network" db:"network"`
	DailyCap  int          `json:"daily_cap" db:"daily_cap"`
	Name      string       `json:"name" db:"name"`
	CreatedAt time.Time    `json:"created_at" db:"created_at"`
	UpdatedAt time.Time    `json:"updated_at" db:"updated_at"`
}

// NetworkInput is what the office enters to register a network: an
// address or a range in CIDR form, the daily cap, optionally the service
// point and a name.
type NetworkInput struct {
	Network  string `json:"network"`
	DailyCap int    `json:"daily_cap"`
	PointID  *int64 `json:"point_id"`
	Name     string `json:"name"`
}

// ParseNetwork reads an address (a single-address range) or a range in
// CIDR form, IPv4 or IPv6, and returns it masked (203.0.113.7/24 becomes
// 203.0.113.0/24), or a Chinese message saying what is wrong.
func ParseNetwork(s string) (netip.Prefix, string) {
	s = strings.TrimSpace(s)
	const format = "网络地址格式不正确，请填写 IP 地址或网段，如 203.0.113.10 或 203.0.113.0/24"
	if s == "" {
		return netip.Prefix{}, "请填写网络地址，如 203.0.113.10 或 203.0.113.0/24"
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, format
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, format
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	p = p.Masked()
	a := p.Addr()
	if (a.Is4() && p.Bits() < minBits4) || (a.Is6() && p.Bits() < minBits6) {
		return netip.Prefix{}, "网段过大：IPv4 网段不能大于 /16，IPv6 网段不能大于 /32"
	}
	if a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() {
		return netip.Prefix{}, "不能登记本机、组播或链路本地地址，请填写大厅上网使用的公网地址"
	}
	return p, ""
}

// checkCapAndName adds the problems of a daily cap and a name to f.
func checkCapAndName(f apperr.Fields, dailyCap int, name string) {
	if dailyCap < 1 || dailyCap > MaxNetworkCap {
		f.Add("daily_cap", "每日上限须为 1 到 "+strconv.Itoa(MaxNetworkCap)+" 之间的整数")
	}
	if !safetext.Valid(name) {
		f.Add("name", safetext.Message)
	} else if utf8.RuneCountInString(name) > MaxNetworkName {
		f.Add("name", "名称不能超过"+strconv.Itoa(MaxNetworkName)+"字")
	}
}

// Validate trims the input and returns the parsed range, or an invalid
// error naming each bad field.
func (in *NetworkInput) Validate() (netip.Prefix, error) {
	f := apperr.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	p, msg := ParseNetwork(in.Network)
	if msg != "" {
		f.Add("network", msg)
	}
	checkCapAndName(f, in.DailyCap, in.Name)
	return p, f.Err()
}

const networkSQL = `SELECT n.id, n.unit_id, n.point_id, p.name AS point_name, n.network, n.daily_cap, n.name,
	n.created_at, n.updated_at
FROM rating_networks n LEFT JOIN service_points p ON p.id = n.point_id`

// CreateNetwork registers a network on the unit, or on its service point
// when in.PointID is set. It returns not_found for an unknown unit and
// invalid for bad input, a point of another unit, a range already
// registered on the same unit or point, or too many networks.
func CreateNetwork(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, in NetworkInput) (Network, error) {
	p, err := in.Validate()
	if err != nil {
		return Network{}, err
	}
	if _, err := FindUnit(ctx, tx, unitID); err != nil {
		return Network{}, err
	}
	if in.PointID != nil {
		pt, err := FindPoint(ctx, tx, *in.PointID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && pt.UnitID != unitID) {
			return Network{}, apperr.InvalidField("point_id", "所选服务点不属于该单位")
		}
		if err != nil {
			return Network{}, err
		}
	}
	// The unit's row is locked, so two registrations cannot both pass the count.
	var n int
	err = tx.QueryRow(ctx, `WITH u AS (SELECT id FROM units WHERE id = $1 FOR UPDATE)
		SELECT count(*) FROM rating_networks WHERE unit_id = (SELECT id FROM u)`, unitID).Scan(&n)
	if err != nil {
		return Network{}, db.Err(err)
	}
	if n >= MaxNetworksPerUnit {
		return Network{}, apperr.InvalidField("network", "每个单位（含服务点）最多登记"+strconv.Itoa(MaxNetworksPerUnit)+"个网络")
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO rating_networks (unit_id, point_id, network, daily_cap, name, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, unitID, in.PointID, p, in.DailyCap, in.Name, by).Scan(&id)
	if err = db.Err(err); apperr.Is(err, apperr.Conflict) {
		return Network{}, apperr.InvalidField("network", "网段 "+p.String()+" 已登记在该单位（或该服务点）上")
	}
	if err != nil {
		return Network{}, err
	}
	nw, err := FindNetwork(ctx, tx, id)
	if err != nil {
		return Network{}, err
	}
	return nw, audit.Record(ctx, tx, actor, "network.create", "rating_network", strconv.FormatInt(id, 10), nil, nw)
}

// UpdateNetwork changes a network's daily cap and name. It returns
// not_found and invalid.
func UpdateNetwork(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, dailyCap int, name string) (Network, error) {
	name = strings.TrimSpace(name)
	f := apperr.Fields{}
	checkCapAndName(f, dailyCap, name)
	if err := f.Err(); err != nil {
		return Network{}, err
	}
	before, err := FindNetwork(ctx, tx, id)
	if err != nil {
		return Network{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE rating_networks SET daily_cap = $2, name = $3, updated_at = now() WHERE id = $1`,
		id, dailyCap, name); err != nil {
		return Network{}, db.Err(err)
	}
	after, err := FindNetwork(ctx, tx, id)
	if err != nil {
		return Network{}, err
	}
	return after, audit.Record(ctx, tx, actor, "network.update", "rating_network", strconv.FormatInt(id, 10), before, after)
}

// DeleteNetwork removes a network; its addresses count against the
// per-address cap again. It returns not_found.
func DeleteNetwork(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64) (Network, error) {
	before, err := FindNetwork(ctx, tx, id)
	if err != nil {
		return Network{}, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM rating_networks WHERE id = $1`, id); err != nil {
		return Network{}, db.Err(err)
	}
	return before, audit.Record(ctx, tx, actor, "network.delete", "rating_network", strconv.FormatInt(id, 10), before, nil)
}

// FindNetwork returns one network, or not_found.
func FindNetwork(ctx context.Context, q db.DBTX, id int64) (Network, error) {
	rows, _ := q.Query(ctx, networkSQL+` WHERE n.id = $1`, id)
	n, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Network])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return Network{}, apperr.New(apperr.NotFound, "登记的网络不存在")
	}
	return n, err
}

// ListNetworks returns the networks of the unit and its service points:
// the unit's first, then by point and range. With unitID 0, every unit's.
func ListNetworks(ctx context.Context, q db.DBTX, unitID int64) ([]Network, error) {
	rows, _ := q.Query(ctx, networkSQL+` WHERE $1::bigint = 0 OR n.unit_id = $1
		ORDER BY n.unit_id, n.point_id NULLS FIRST, p.name, n.network`, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Network])
	return list, db.Err(err)
}

// MatchNetwork returns the network a QR rating from addr, through the
// unit's service point (nil for the unit's own code), counts against: of
// the unit's networks and the point's that contain addr, the point's before
// the unit's, then the narrowest range. ok is false when none does.
func MatchNetwork(list []Network, unitID int64, pointID *int64, addr netip.Addr) (best Network, ok bool) {
	addr = addr.Unmap()
	if !addr.IsValid() {
		return Network{}, false
	}
	rank := func(n Network) int {
		r := n.Network.Bits()
		if n.PointID != nil {
			r += 1000
		}
		return r
	}
	for _, n := range list {
		if n.UnitID != unitID || !n.Network.Contains(addr) {
			continue
		}
		if n.PointID != nil && (pointID == nil || *n.PointID != *pointID) {
			continue
		}
		if !ok || rank(n) > rank(best) || (rank(n) == rank(best) && n.ID < best.ID) {
			best, ok = n, true
		}
	}
	return best, ok
}

// UnknownAddress is the source of a client whose address could not be read.
const UnknownAddress = "未知地址"

// AddressSource is the per-address source of a client address as the
// daily cap counts it: the address itself for IPv4 (an IPv4-mapped IPv6
// address is IPv4), and its /64 for IPv6, since one subscriber holds a
// whole /64 and can use any address in it. Anything that is no address
// (which the HTTP layer never passes) is one source, UnknownAddress.
func AddressSource(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return UnknownAddress
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
