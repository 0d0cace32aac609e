-- Synthetic volume for timing the models (not for checking values):
--   psql -v sessions=200 -v people=500 [-v offset_hours=1000] -f dev/synthetic.sql
-- Appends one raw file (next file_id) with `sessions` sessions of 2 h, each with
-- `people` registered participants on 1-2 devices, chat, fires and attention.
\set ON_ERROR_STOP 1
-- optional: -v offset_hours=N shifts the sessions' start (later sessions: no
-- returning-person propagation to older ones)
\if :{?offset_hours}
\else
\set offset_hours 0
\endif
insert into raw.loaded_files (uri, delivery_date, status)
values ('synthetic://' || clock_timestamp()::text, current_date, 'loaded');

create temporary table synth_file as select max(file_id) as file_id from raw.loaded_files;
create temporary table synth_sessions as
select
    'syn-' || (select file_id from synth_file) || '-' || s as event_session_id,
    'org-' || (s % 5) as organization_id,
    timestamptz '2026-10-01 10:00:00+00' + ((s + :offset_hours) || ' hours')::interval as started_at,
    s % 2 = 0 as engagement
from generate_series(1, :sessions) as s;

insert into raw.platform_events
    (event_id, event_type, occurred_at, organization_id, event_session_id, webinar_id,
     participant_id, payload, file_id, source_uri, line_number)
select
    e.event_session_id || ':' || e.n, e.event_type, e.occurred_at, e.organization_id,
    e.event_session_id, 'w-syn', e.participant_id, e.payload,
    (select file_id from synth_file), 'synthetic', row_number() over ()
from (
    select s.event_session_id, s.organization_id, 'start' as n, 'session.started' as event_type,
           s.started_at as occurred_at, null::text as participant_id,
           jsonb_build_object('webinar_name', 'Synthetic', 'engagement_module', s.engagement) as payload
    from synth_sessions s
    union all
    select s.event_session_id, s.organization_id, 'end', 'session.ended', s.started_at + interval '2 hours', null, '{}'
    from synth_sessions s
    union all
    select s.event_session_id, s.organization_id, 'h-on', 'broadcast.started', s.started_at + interval '5 minutes', 'host-' || s.organization_id, '{}'
    from synth_sessions s
    union all
    select s.event_session_id, s.organization_id, 'h-off', 'broadcast.stopped', s.started_at + interval '110 minutes', 'host-' || s.organization_id, '{}'
    from synth_sessions s
    union all
    select s.event_session_id, s.organization_id, 'reg-' || p, 'participant.registered',
           s.started_at - interval '1 day', 'p-' || p,
           jsonb_build_object('email', 'person' || p || '@example.com',
                              'referrer', case p % 3 when 0 then 'https://www.t.me/c' when 1 then 'https://vk.com/x' end,
                              'utm', jsonb_build_object('source', 'src' || (p % 4)))
    from synth_sessions s, generate_series(1, :people) as p
    union all
    select s.event_session_id, s.organization_id, 'j1-' || p, 'participant.joined',
           s.started_at + ((p % 40) || ' minutes')::interval, 'p-' || p,
           jsonb_build_object('connection_id', 'c1-' || p, 'role', 'participant',
                              'platform', (array['web', 'ios', 'android'])[1 + p % 3])
    from synth_sessions s, generate_series(1, :people) as p
    union all
    select s.event_session_id, s.organization_id, 'l1-' || p, 'participant.left',
           s.started_at + ((60 + p % 70) || ' minutes')::interval, 'p-' || p,
           jsonb_build_object('connection_id', 'c1-' || p)
    from synth_sessions s, generate_series(1, :people) as p
    where p % 10 <> 0
    union all
    select s.event_session_id, s.organization_id, 'j2-' || p, 'participant.joined',
           s.started_at + ((50 + p % 30) || ' minutes')::interval, 'p-' || p,
           jsonb_build_object('connection_id', 'c2-' || p, 'role', 'participant', 'platform', 'android')
    from synth_sessions s, generate_series(1, :people) as p
    where p % 2 = 0
    union all
    select s.event_session_id, s.organization_id, 'l2-' || p, 'participant.left',
           s.started_at + ((90 + p % 40) || ' minutes')::interval, 'p-' || p,
           jsonb_build_object('connection_id', 'c2-' || p)
    from synth_sessions s, generate_series(1, :people) as p
    where p % 2 = 0
    union all
    select s.event_session_id, s.organization_id, 'm-' || p, 'chat.message_posted',
           s.started_at + ((45 + p % 20) || ' minutes')::interval, 'p-' || p,
           jsonb_build_object('message_id', 'm-' || p)
    from synth_sessions s, generate_series(1, :people) as p
    where p % 3 = 0
    union all
    select s.event_session_id, s.organization_id, 'a-' || p || '-' || k, 'attention.changed',
           s.started_at + ((41 + p % 10 + k * 5) || ' minutes')::interval, 'p-' || p,
           jsonb_build_object('connection_id', 'c1-' || p, 'state', case k % 2 when 0 then 'inactive' else 'active' end)
    from synth_sessions s, generate_series(1, :people) as p, generate_series(0, 3) as k
    where s.engagement
) as e;

analyze raw.platform_events;
select count(*) as events_in_file from raw.platform_events where file_id = (select file_id from synth_file);
