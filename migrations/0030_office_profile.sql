-- The office's name on what it prints (issue 13): credential letters and
-- survey invitations were signed by a generic 绩效管理工作机构. One row;
-- empty means that default.
CREATE TABLE office_profile (
    id          int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 60),
    updated_by  bigint REFERENCES users (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO office_profile (id) VALUES (1);
