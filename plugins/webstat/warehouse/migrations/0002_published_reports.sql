-- 0002: which event-session reports are published, and from which data. A session's
-- report is (re)rendered when its marts' fingerprint differs from the one recorded
-- here, so a daily run renders the sessions that ended or changed, and a rerun none.
create table if not exists raw.published_reports (
    event_session_id  text        primary key,
    fingerprint       text        not null,
    uri               text        not null,
    run_id            text,
    published_at      timestamptz not null default now()
);
