-- 0003: the newest clock (data interval end) a dbt build has used. A build uses
-- greatest(its own interval end, this), so days processed out of order (a backfill
-- with parallel runs, a rerun of an old day) never turn the clock back: a session
-- once closed by inference is not reopened.
create table if not exists raw.run_clock (
    singleton  boolean     primary key default true check (singleton),
    clock      timestamptz not null,
    updated_at timestamptz not null default now()
);
