package units_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

func TestParseNetwork(t *testing.T) {
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"203.0.113.7", "203.0.113.7/32"},
		{" 203.0.113.7/24 ", "203.0.113.0/24"},
		{"10.8.0.0/16", "10.8.0.0/16"}, // a private range (政务外网) is fine
		{"2001:db8:1:2::9", "2001:db8:1:2::9/128"},
		{"2001:db8:1::/48", "2001:db8:1::/48"},
		{"::ffff:203.0.113.7", "203.0.113.7/32"},
		{"::ffff:203.0.113.7/120", "203.0.113.0/24"},
		{"10.0.0.0/15", ""},
		{"0.0.0.0/0", ""},
		{"2001:db8::/31", ""},
		{"127.0.0.1", ""},
		{"::1", ""},
		{"0.0.0.0/16", ""},
		{"224.0.0.1", ""},
		{"169.254.1.1", ""},
		{"fe80::1", ""},
		{"fe80::1%eth0", ""},
		{"203.0.113.7/33", ""},
		{"203.0.113.7/-1", ""},
		{"203.0.113", ""},
		{"大厅网络", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, msg := units.ParseNetwork(tt.in)
			switch {
			case tt.want == "" && msg == "":
				t.Fatalf("%q accepted as %s", tt.in, p)
			case tt.want != "" && (msg != "" || p.String() != tt.want):
				t.Fatalf("%q: %s %q, want %s", tt.in, p, msg, tt.want)
			}
		})
	}
}

func TestNetworkInputValidate(t *testing.T) {
	good := units.NetworkInput{Network: "203.0.113.0/24", DailyCap: 2000, Name: "政务服务大厅 Wi-Fi"}
	if _, err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := (&units.NetworkInput{Network: "x", DailyCap: 0, Name: strings.Repeat("网", 51)}).Validate()
	wantInvalid(t, err, "network", "daily_cap", "name")
	_, err = (&units.NetworkInput{Network: "203.0.113.0/24", DailyCap: units.MaxNetworkCap + 1, Name: "大厅\x00"}).Validate()
	wantInvalid(t, err, "daily_cap", "name")
	if _, err := (&units.NetworkInput{Network: "203.0.113.0/24", DailyCap: units.MaxNetworkCap, Name: strings.Repeat("网", 50)}).Validate(); err != nil {
		t.Fatalf("the limits themselves were refused: %v", err)
	}
}

func TestNetworksOfUnitsAndPoints(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	u := createUnit(t, pool, units.UnitInput{Name: "市政务服务中心", Category: "社会服务类"})
	other := createUnit(t, pool, units.UnitInput{Name: "市税务局", Category: "社会服务类"})
	var hall, otherHall units.ServicePoint
	err := inTx(t, pool, func(tx pgx.Tx) (err error) {
		if hall, err = units.CreatePoint(ctx, tx, actor, u.ID, units.PointInput{Name: "一楼大厅", Kind: units.KindHall}); err != nil {
			return err
		}
		otherHall, err = units.CreatePoint(ctx, tx, actor, other.ID, units.PointInput{Name: "办税大厅", Kind: units.KindHall})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	create := func(unitID int64, in units.NetworkInput) (units.Network, error) {
		var n units.Network
		err := inTx(t, pool, func(tx pgx.Tx) (err error) {
			n, err = units.CreateNetwork(ctx, tx, actor, unitID, in)
			return err
		})
		return n, err
	}
	whole, err := create(u.ID, units.NetworkInput{Network: "203.0.113.0/24", DailyCap: 2000, Name: "中心 Wi-Fi"})
	if err != nil || whole.Network.String() != "203.0.113.0/24" || whole.PointID != nil {
		t.Fatalf("unit network: %+v, %v", whole, err)
	}
	atHall, err := create(u.ID, units.NetworkInput{Network: "203.0.113.64/26", DailyCap: 500, PointID: &hall.ID})
	if err != nil || atHall.PointName == nil || *atHall.PointName != "一楼大厅" {
		t.Fatalf("point network: %+v, %v", atHall, err)
	}
	_, err = create(u.ID, units.NetworkInput{Network: "203.0.113.9/24", DailyCap: 100})
	wantInvalid(t, err, "network")
	_, err = create(u.ID, units.NetworkInput{Network: "198.51.100.0/24", DailyCap: 100, PointID: &otherHall.ID})
	wantInvalid(t, err, "point_id")
	if _, err := create(999999, units.NetworkInput{Network: "198.51.100.0/24", DailyCap: 100}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown unit: %v", err)
	}
	// The same range on the point and on another unit is another network.
	if _, err := create(other.ID, units.NetworkInput{Network: "203.0.113.0/24", DailyCap: 50}); err != nil {
		t.Fatal(err)
	}

	err = inTx(t, pool, func(tx pgx.Tx) error {
		if _, err := units.UpdateNetwork(ctx, tx, actor, whole.ID, 0, ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("cap 0: %v", err)
		}
		n, err := units.UpdateNetwork(ctx, tx, actor, whole.ID, 3000, " 中心 Wi-Fi（电信） ")
		if err != nil || n.DailyCap != 3000 || n.Name != "中心 Wi-Fi（电信）" {
			t.Errorf("update: %+v, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := units.ListNetworks(ctx, pool, u.ID)
	if err != nil || len(list) != 2 || list[0].ID != whole.ID || list[1].ID != atHall.ID {
		t.Fatalf("list: %+v, %v", list, err)
	}
	// Unit ids are bigint: one past int4 lists nothing rather than failing.
	if none, err := units.ListNetworks(ctx, pool, 1<<31); err != nil || len(none) != 0 {
		t.Fatalf("list of unit 2147483648: %+v, %v", none, err)
	}
	// Matching: the point's network first, then the narrowest, then none.
	addr := netip.MustParseAddr("203.0.113.70")
	if n, ok := units.MatchNetwork(list, u.ID, &hall.ID, addr); !ok || n.ID != atHall.ID {
		t.Errorf("through the hall's code: %+v %v", n, ok)
	}
	if n, ok := units.MatchNetwork(list, u.ID, nil, addr); !ok || n.ID != whole.ID {
		t.Errorf("through the unit's code: %+v %v", n, ok)
	}
	if n, ok := units.MatchNetwork(list, u.ID, &hall.ID, netip.MustParseAddr("::ffff:203.0.113.5")); !ok || n.ID != whole.ID {
		t.Errorf("a mapped address outside the hall's range: %+v %v", n, ok)
	}
	if _, ok := units.MatchNetwork(list, other.ID, nil, addr); ok {
		t.Errorf("another unit's rating matched this unit's network")
	}
	if _, ok := units.MatchNetwork(list, u.ID, nil, netip.MustParseAddr("198.51.100.1")); ok {
		t.Errorf("an address outside every range matched")
	}

	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.DeleteNetwork(ctx, tx, actor, atHall.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := units.FindNetwork(ctx, pool, atHall.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("deleted network: %v", err)
	}
	var logged int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE entity = 'rating_network'`).Scan(&logged); err != nil || logged != 5 {
		t.Fatalf("%d audit entries (%v), want 5: three created, one updated, one deleted", logged, err)
	}
}

func TestAddressSource(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":            "203.0.113.7",
		"::ffff:203.0.113.7":     "203.0.113.7",
		"2001:db8:1:2::9":        "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":   "2001:db8:1:2::/64",
		"2001:db8:1:3::1":        "2001:db8:1:3::/64",
		"fe80::1%eth0":           "fe80::/64",
		"not an address\x00\xff": units.UnknownAddress,
		"":                       units.UnknownAddress,
	} {
		if got := units.AddressSource(in); got != want {
			t.Errorf("AddressSource(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzAddressSource: any client address gives a source that is text a
// page can show, and the addresses of one IPv6 /64 share their source.
func FuzzAddressSource(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "::ffff:1.2.3.4", "2001:db8::1", "fe80::1%eth0", "", "1.2.3.4:80", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ip string) {
		src := units.AddressSource(ip)
		if !safetext.Valid(src) || len(src) > 64 {
			t.Fatalf("AddressSource(%q) = %q", ip, src)
		}
		a, err := netip.ParseAddr(ip)
		if err != nil || !a.Unmap().Is6() {
			return
		}
		b := a.As16()
		b[15] ^= 0xff
		if other := units.AddressSource(netip.AddrFrom16(b).String()); other != src {
			t.Fatalf("%s and its neighbour in the /64 have sources %q and %q", ip, src, other)
		}
	})
}

// FuzzNetworkInput: what Validate accepts, the database stores and gives
// back unchanged (Postgres's cidr refuses host bits, which Validate masks).
func FuzzNetworkInput(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "203.0.113.7/24", "2001:db8::1/64", "::ffff:10.0.0.1/104", "10.0.0.0/15",
		"127.0.0.1", "1.2.3.4/33", "fe80::1%eth0", " 192.0.2.1 "} {
		f.Add(s, 2000, "大厅 Wi-Fi")
	}
	f.Add("203.0.113.0/24", 0, "")
	f.Add("203.0.113.0/24", 100000, "\x00")
	pool := testutil.DB(f)
	ctx := context.Background()
	var unitID int64
	if err := pool.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ('市政务服务中心', '社会服务类') RETURNING id`).Scan(&unitID); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, network string, dailyCap int, name string) {
		in := units.NetworkInput{Network: network, DailyCap: dailyCap, Name: name}
		p, err := in.Validate()
		if err != nil {
			if e := apperr.From(err); e.Code != apperr.Invalid || len(e.Fields) == 0 {
				t.Fatalf("Validate(%+v): %v", in, err)
			}
			return
		}
		if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() {
			t.Fatalf("Validate(%q) accepted %s", network, p)
		}
		again, msg := units.ParseNetwork(p.String())
		if msg != "" || again != p {
			t.Fatalf("%q parses as %s, which parses as %s %q", network, p, again, msg)
		}
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		n, err := units.CreateNetwork(ctx, tx, actor, unitID, in)
		if err != nil {
			t.Fatalf("CreateNetwork(%+v) after Validate accepted it: %v", in, db.Err(err))
		}
		if n.Network != p || n.DailyCap != dailyCap || n.Name != strings.TrimSpace(name) {
			t.Fatalf("stored %+v for %+v", n, in)
		}
	})
}
