-- Hand-written raw events for developing and checking the dbt models (no dbt seeds:
-- the raw layer is owned by the loader's migration, so fixtures insert into it).
-- Apply the migration first, then:  psql -v ON_ERROR_STOP=1 -f dev/fixture_base.sql
-- Expected mart values are listed in dbt_project/README.md ("Hand-checked scenarios").
truncate raw.platform_events, raw.duplicate_events, raw.rejected_lines, raw.loaded_files restart identity cascade;

insert into raw.loaded_files (file_id, uri, delivery_date, status, lines_total, rows_loaded, rows_rejected, rows_duplicate)
overriding system value values
    (1, 'file:///landing/date=2026-11-02/a.ndjson', '2026-11-02', 'loaded', 0, 0, 1, 0),
    (2, 'file:///landing/date=2026-11-03/b.ndjson', '2026-11-03', 'loaded', 0, 0, 1, 1),
    (3, 'file:///landing/date=2026-11-04/c.ndjson', '2026-11-04', 'loaded', 0, 0, 0, 0);

create temporary table fixture_events (
    file_id bigint, event_id text, event_type text, occurred_at timestamptz,
    event_session_id text, participant_id text, payload jsonb
);

insert into fixture_events values
-- es-A: 2 h session, hosts on air 10:00-11:00 (the contract's worked example), no engagement module
(1, 'a-01', 'session.started',       '2026-11-02 10:00:00+00', 'es-A', null,  '{"webinar_name": "Вебинар A"}'),
(1, 'a-02', 'participant.joined',    '2026-11-02 09:55:00+00', 'es-A', 'h-1', '{"connection_id": "c-h1", "role": "host", "platform": "web", "chat_name": "Host"}'),
(1, 'a-03', 'broadcast.started',     '2026-11-02 10:00:00+00', 'es-A', 'h-1', '{}'),
(1, 'a-04', 'broadcast.stopped',     '2026-11-02 11:00:00+00', 'es-A', 'h-1', '{}'),
(1, 'a-05', 'participant.left',      '2026-11-02 12:05:00+00', 'es-A', 'h-1', '{"connection_id": "c-h1"}'),
(1, 'a-06', 'participant.registered','2026-11-02 09:00:00+00', 'es-A', 'u-1', '{"email": " Anna@Example.com ", "first_name": "Анна", "referrer": "https://www.t.me/chan?x=1", "utm": {"source": "telegram", "campaign": "nov"}, "fields": {"company": "ACME"}}'),
(1, 'a-07', 'participant.joined',    '2026-11-02 10:30:00+00', 'es-A', 'u-1', '{"connection_id": "c-1", "role": "participant", "platform": "web", "chat_name": "Анна", "ip": "203.0.113.7", "country": "Россия", "city": "Казань", "referrer": "https://vk.com/x", "utm": {"source": "vk"}}'),
(1, 'a-08', 'participant.left',      '2026-11-02 12:00:00+00', 'es-A', 'u-1', '{"connection_id": "c-1"}'),
(1, 'a-09', 'participant.joined',    '2026-11-02 10:00:00+00', 'es-A', 'u-2', '{"connection_id": "c-2", "role": "participant", "platform": "android", "referrer": ""}'),
(1, 'a-10', 'participant.left',      '2026-11-02 10:30:00+00', 'es-A', 'u-2', '{"connection_id": "c-2"}'),
(1, 'a-11', 'participant.joined',    '2026-11-02 10:15:00+00', 'es-A', 'u-2', '{"connection_id": "c-3", "role": "participant", "platform": "web"}'),
(1, 'a-12', 'participant.left',      '2026-11-02 11:00:00+00', 'es-A', 'u-2', '{"connection_id": "c-3"}'),
(1, 'a-13', 'participant.invited',   '2026-11-02 08:00:00+00', 'es-A', 'u-3', '{"email": "b@x.com", "first_name": "Борис"}'),
(1, 'a-14', 'chat.message_posted',   '2026-11-02 10:40:00+00', 'es-A', 'u-1', '{"message_id": "m-1"}'),
(1, 'a-15', 'chat.message_posted',   '2026-11-02 10:41:00+00', 'es-A', 'u-1', '{"message_id": "m-2"}'),
(1, 'a-16', 'chat.message_posted',   '2026-11-02 10:42:00+00', 'es-A', 'h-1', '{"message_id": "m-3"}'),
(1, 'a-17', 'chat.message_posted',   '2026-11-02 10:43:00+00', 'es-A', 'h-1', '{"message_id": "m-4"}'),
(1, 'a-18', 'reaction.fire',         '2026-11-02 10:20:00+00', 'es-A', 'u-2', '{"count": 5}'),
(1, 'a-19', 'reaction.fire',         '2026-11-02 10:21:00+00', 'es-A', 'u-2', '{}'),
(1, 'a-20', 'participant.left',      '2026-11-02 11:30:00+00', 'es-A', 'u-2', '{"connection_id": "c-99"}'),
(1, 'a-21', 'agreement.accepted',    '2026-11-02 09:01:00+00', 'es-A', 'u-1', '{"agreement_id": "ag-1", "title": "Согласие на рассылку"}'),
(1, 'a-22', 'payment.completed',     '2026-11-02 09:02:00+00', 'es-A', 'u-1', '{"amount": 990, "currency": "RUB"}'),
(2, 'a-23', 'session.ended',         '2026-11-02 12:00:00+00', 'es-A', null,  '{}'),
-- es-B: 1 h session with the engagement module, attention toggling on two devices
(2, 'b-01', 'session.started',       '2026-11-03 10:00:00+00', 'es-B', null,  '{"webinar_name": "Вебинар B", "engagement_module": true, "is_paid": true}'),
(2, 'b-02', 'participant.registered','2026-11-03 09:00:00+00', 'es-B', 'u-1', '{"email": "anna@example.com"}'),
(2, 'b-03', 'participant.joined',    '2026-11-03 10:00:00+00', 'es-B', 'u-1', '{"connection_id": "c-b1", "role": "participant", "platform": "web"}'),
(2, 'b-04', 'participant.left',      '2026-11-03 10:40:00+00', 'es-B', 'u-1', '{"connection_id": "c-b1"}'),
(2, 'b-05', 'participant.joined',    '2026-11-03 10:20:00+00', 'es-B', 'u-1', '{"connection_id": "c-b2", "role": "participant", "platform": "android"}'),
(2, 'b-06', 'attention.changed',     '2026-11-03 10:10:00+00', 'es-B', 'u-1', '{"connection_id": "c-b1", "state": "inactive"}'),
(2, 'b-07', 'attention.changed',     '2026-11-03 10:20:00+00', 'es-B', 'u-1', '{"connection_id": "c-b1", "state": "active"}'),
(2, 'b-08', 'attention.changed',     '2026-11-03 10:30:00+00', 'es-B', 'u-1', '{"connection_id": "c-b1", "state": "inactive"}'),
(2, 'b-09', 'attention.changed',     '2026-11-03 10:20:00+00', 'es-B', 'u-1', '{"connection_id": "c-b2", "state": "inactive"}'),
(2, 'b-10', 'attention.changed',     '2026-11-03 10:50:00+00', 'es-B', 'u-1', '{"connection_id": "c-b2", "state": "active"}'),
(2, 'b-11', 'participant.invited',   '2026-11-03 09:00:00+00', 'es-B', 'u-5', '{"email": "bob@example.com"}'),
(2, 'b-12', 'participant.registered','2026-11-03 09:30:00+00', 'es-B', 'u-5', '{"email": "bob@example.com"}'),
(2, 'b-13', 'participant.joined',    '2026-11-03 10:59:30+00', 'es-B', 'u-5', '{"connection_id": "c-b5", "role": "participant", "platform": "ios"}'),
(2, 'b-14', 'participant.left',      '2026-11-03 11:05:00+00', 'es-B', 'u-5', '{"connection_id": "c-b5"}'),
(2, 'b-15', 'session.ended',         '2026-11-03 11:00:00+00', 'es-B', null,  '{}'),
-- es-C: no session.ended (in progress, or closed by inference once 24 h stale)
(3, 'c-01', 'session.started',       '2026-11-04 10:00:00+00', 'es-C', null,  '{"webinar_name": "Вебинар C"}'),
(3, 'c-02', 'participant.joined',    '2026-11-04 10:30:00+00', 'es-C', 'u-7', '{"connection_id": "c-c7", "role": "participant", "platform": "web"}'),
(3, 'c-03', 'chat.message_posted',   '2026-11-04 10:45:00+00', 'es-C', 'u-7', '{"message_id": "m-c1"}');

insert into raw.platform_events
    (event_id, event_type, occurred_at, organization_id, event_session_id, webinar_id,
     participant_id, payload, file_id, source_uri, line_number)
select
    e.event_id, e.event_type, e.occurred_at, 'org-1', e.event_session_id,
    'w-' || lower(substr(e.event_session_id, 4)), e.participant_id, e.payload, e.file_id,
    f.uri, row_number() over (partition by e.file_id order by e.event_id)
from fixture_events as e
inner join raw.loaded_files as f on f.file_id = e.file_id;

-- a later arrival of a-14 in file 2, and one bad line in each of files 1 and 2
insert into raw.duplicate_events (file_id, source_uri, line_number, event_id, event_type, occurred_at, organization_id, event_session_id)
values (2, 'file:///landing/date=2026-11-03/b.ndjson', 100, 'a-14', 'chat.message_posted', '2026-11-02 10:40:00+00', 'org-1', 'es-A');
insert into raw.rejected_lines (file_id, source_uri, line_number, raw_line, raw_bytes, reason) values
    -- each names one session: es-A, es-B (fct_data_quality.rejected_lines)
    (1, 'file:///landing/date=2026-11-02/a.ndjson', 101, '{"event_session_id": "es-A", oops', '\x7b226576656e745f73657373696f6e5f6964223a202265732d41222c206f6f7073', 'not a JSON object'),
    (2, 'file:///landing/date=2026-11-03/b.ndjson', 101, '{"event_session_id": "es-B"}', '\x7b226576656e745f73657373696f6e5f6964223a202265732d42227d', 'missing event_id');

-- explicit file ids above: move the identity past them for later loads
select setval(pg_get_serial_sequence('raw.loaded_files', 'file_id'), (select max(file_id) from raw.loaded_files));
