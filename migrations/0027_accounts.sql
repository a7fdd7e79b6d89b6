-- Accounts an office runs itself (issue 13): a read-only leader role
-- (领导: members of the leadership body, who see every unit's figures and
-- published material and change nothing), the person behind an account
-- (name, mobile, e-mail: the notifications of issue 14 use the last two),
-- temporary passwords that must be changed at the next sign-in, the last
-- sign-in, and what each session was opened from, so that an account's
-- sessions can be listed and ended.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('office', 'unit', 'leader'));
ALTER TABLE users
    ADD COLUMN name text NOT NULL DEFAULT '',
    ADD COLUMN mobile text NOT NULL DEFAULT '',
    ADD COLUMN email text NOT NULL DEFAULT '',
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    ADD COLUMN password_changed_at timestamptz,
    ADD COLUMN last_sign_in_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX users_unit ON users (unit_id) WHERE unit_id IS NOT NULL;

ALTER TABLE sessions
    ADD COLUMN user_agent text NOT NULL DEFAULT '',
    ADD COLUMN address text NOT NULL DEFAULT '';
CREATE INDEX sessions_user ON sessions (user_id);
