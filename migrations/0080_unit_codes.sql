-- The codes the national 好差评 record identifies a unit by (issue 18):
-- deptCode, the 18-character unified social credit code (统一社会信用代码,
-- GB 32100-2015), and areaCode, the administrative division code (行政区划代码,
-- 6 digits of GB/T 2260 or the 12-digit statistical division code). Both are
-- optional; the check character is verified in Go (units/codes.go).
ALTER TABLE units
    ADD COLUMN credit_code text
        CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    ADD COLUMN area_code text
        CHECK (area_code ~ '^([0-9]{6}|[0-9]{12})$');
CREATE UNIQUE INDEX units_credit_code ON units (credit_code) WHERE credit_code IS NOT NULL;
