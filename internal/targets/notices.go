package targets

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/notify"
)

// Kinds of the target sheet notifications (issue 14).
const (
	NoticeSheetSubmitted = "target_sheet.submitted"
	NoticeSheetReturned  = "target_sheet.returned"
	NoticeSheetApproved  = "target_sheet.approved"
)

// noticeSheet tells who acts next about a sheet's new state, in the
// transaction that changed it: the office when a unit submits, the unit
// when the office returns or approves. Each change of the sheet notifies
// once (keyed by its lock version).
func noticeSheet(ctx context.Context, tx pgx.Tx, kind string, s Sheet, now time.Time) error {
	n := notify.Notice{Kind: kind, Key: kind + ":" + idStr(s.ID) + ":" + strconv.Itoa(s.LockVersion),
		Link: "/console/targets/" + idStr(s.ID)}
	sheet := "《" + s.CycleName + "目标责任书》"
	switch kind {
	case NoticeSheetSubmitted:
		n.To = notify.ToOffice()
		n.Title = "目标责任书待审核：" + s.UnitName
		n.Body = s.UnitName + "提交了" + sheet + "，请审核。"
	case NoticeSheetReturned:
		n.To = notify.ToUnit(s.UnitID)
		n.Title = "目标责任书被退回：" + s.CycleName
		n.Body = "绩效办退回了本单位的" + sheet + "，退回意见：" + notify.Clip(s.ReviewComment, 200) + "。请修改后重新提交。"
	case NoticeSheetApproved:
		n.To = notify.ToUnit(s.UnitID)
		n.Title = "目标责任书已批准：" + s.CycleName
		n.Body = "绩效办批准了本单位的" + sheet + "，目标已生效，请按期报送进度。"
	}
	_, _, err := notify.Send(ctx, tx, n, now)
	return err
}
