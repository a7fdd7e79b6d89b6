-- Key tasks (重点任务) shared by several units, each with its lead unit
-- (牵头单位), which follows the progress of the units sharing it (002 § 9,
-- § 17). The office sets them up per cycle. A member may name the indicator
-- of its target sheet that carries the task; its progress reports are what
-- the lead unit follows.
CREATE TABLE key_tasks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id      bigint NOT NULL REFERENCES assessment_cycles (id),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    lead_unit_id  bigint NOT NULL REFERENCES units (id),
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, name)
);
CREATE INDEX key_tasks_cycle ON key_tasks (cycle_id, id);
CREATE INDEX key_tasks_lead ON key_tasks (lead_unit_id, cycle_id, id);

CREATE TABLE key_task_members (
    task_id       bigint NOT NULL REFERENCES key_tasks (id) ON DELETE CASCADE,
    unit_id       bigint NOT NULL REFERENCES units (id),
    indicator_id  bigint REFERENCES target_indicators (id),
    added_by      bigint REFERENCES users (id),
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX key_task_members_unit ON key_task_members (unit_id);
