-- 0001: the raw layer. Every line of every landed file ends up in exactly one of
-- platform_events (accepted), duplicate_events (an event_id seen before) or
-- rejected_lines (breaks the raw-log contract); loaded_files is the ledger.
create schema if not exists raw;

create table if not exists raw.loaded_files (
    file_id         bigint generated always as identity primary key,
    uri             text        not null unique,
    delivery_date   date,
    size_bytes      bigint,
    sha256          text,
    status          text        not null check (status in ('loaded', 'failed')),
    lines_total     bigint      not null default 0,  -- non-blank lines
    rows_loaded     bigint      not null default 0,
    rows_rejected   bigint      not null default 0,
    rows_duplicate  bigint      not null default 0,
    error           text,
    loaded_at       timestamptz not null default now()
);

create table if not exists raw.platform_events (
    event_id          text        primary key,
    event_type        text        not null,
    occurred_at       timestamptz not null,
    organization_id   text        not null,
    event_session_id  text        not null,
    webinar_id        text,
    participant_id    text,
    payload           jsonb       not null,
    file_id           bigint      not null references raw.loaded_files (file_id),
    source_uri        text        not null,
    line_number       bigint      not null,
    loaded_at         timestamptz not null default now()
);
create index if not exists platform_events_session_idx on raw.platform_events (event_session_id);
create index if not exists platform_events_file_idx on raw.platform_events (file_id);

create table if not exists raw.duplicate_events (
    file_id           bigint      not null references raw.loaded_files (file_id),
    source_uri        text        not null,
    line_number       bigint      not null,
    event_id          text        not null,
    event_type        text        not null,
    occurred_at       timestamptz not null,
    organization_id   text        not null,
    event_session_id  text        not null,
    loaded_at         timestamptz not null default now(),
    primary key (file_id, line_number)
);
create index if not exists duplicate_events_session_idx on raw.duplicate_events (event_session_id);

create table if not exists raw.rejected_lines (
    file_id      bigint      not null references raw.loaded_files (file_id),
    source_uri   text        not null,
    line_number  bigint      not null,
    raw_line     text        not null,  -- readable text (invalid bytes replaced, NUL escaped)
    raw_bytes    bytea       not null,  -- the line exactly as delivered
    reason       text        not null,
    rejected_at  timestamptz not null default now(),
    primary key (file_id, line_number)
);
