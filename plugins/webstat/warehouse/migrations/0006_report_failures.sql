-- 0006: event-session reports whose rendering or publishing failed. One row a session,
-- kept until a publication succeeds (then deleted). The daily run retries the sessions
-- listed here; one that failed in `attempts` >= 3 runs with the same fingerprint is
-- left alone (logged as skipped) until its data change or it is rendered by hand.
create table if not exists raw.report_failures (
    event_session_id  text        primary key,
    fingerprint       text        not null,
    error             text        not null,
    attempts          integer     not null default 1 check (attempts >= 1),
    last_run_id       text,
    first_failed_at   timestamptz not null default now(),
    last_failed_at    timestamptz not null default now()
);
