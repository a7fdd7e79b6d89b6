package notify

// Kinds of the background exports (internal/export names them as Notice…
// constants): the account that started an export larger than
// EXPORT_INLINE_MAX_ROWS hears when its file is ready to download, or
// that it could not be made.
const (
	KindExportReady  = "export.ready"
	KindExportFailed = "export.failed"
)

// ForStarter are the kinds read by the account that started something
// (sent to that one account, whatever its role).
const ForStarter = "starter"

var phExport = Placeholder{"导出内容", "导出的列表，如“评价记录”", "评价记录"}

var exportTemplates = []Template{
	{Kind: KindExportReady, Name: "导出文件已生成", For: ForStarter,
		Placeholders: []Placeholder{phExport,
			{"条数", "文件中的记录条数", "120,356"},
			{"格式", "Excel 或 CSV", "Excel"},
			{"保留至", "文件可下载到的时间", "2026年12月11日 09:30"}},
		Default: Text{Title: "导出文件已生成：{导出内容}",
			Body: "您导出的“{导出内容}”（{格式}，共{条数}条）已生成，请在“我的导出”中下载。文件保留至{保留至}，过期后自动删除。"}},
	{Kind: KindExportFailed, Name: "导出未能完成", For: ForStarter,
		Placeholders: []Placeholder{phExport, {"原因", "未能导出的原因", "导出时出错，请稍后重新导出。"}},
		Default: Text{Title: "导出未能完成：{导出内容}",
			Body: "您导出的“{导出内容}”未能完成：{原因}"}},
}
