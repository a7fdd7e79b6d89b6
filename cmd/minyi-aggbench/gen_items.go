package main

// itemsSQL is the service-item catalogue (事项, migration 0082) of a
// province: twenty items a unit, so that the catalogue's pages and API are
// timed over 20,000 items. The generated ratings name none (a rating's
// item is checked against this catalogue when it is written; the
// generator writes ratings directly).
const itemsSQL = `
	INSERT INTO service_items (unit_id, code, name, online)
	SELECT u.id, 'SX' || lpad(u.id::text, 5, '0') || '-' || lpad(n::text, 3, '0'),
		(ARRAY['不动产登记', '营业执照办理', '社会保障卡申领', '医疗费用报销', '税务登记', '住房公积金提取', '户口迁移',
			'出入境证件办理', '机动车检验', '建设工程规划许可', '食品经营许可', '残疾人证办理', '婚姻登记', '失业登记',
			'职业资格证书办理', '道路运输许可', '排污许可', '药品经营许可', '居住证办理', '企业注销登记'])[n],
		n % 4 = 0
	FROM units u CROSS JOIN generate_series(1, 20) AS n
	ON CONFLICT (unit_id, code) DO NOTHING`

func init() {
	feedbackSteps = append(feedbackSteps, struct{ name, sql string }{"service items, twenty a unit", itemsSQL})
}
