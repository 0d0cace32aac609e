-- A late file (delivered 2026-11-05) that adds to the OLD session es-A: bob, who is
-- "new" in es-B until this arrives; then es-A is his first session and es-B must
-- turn him "returning" although file 4 carries nothing of es-B.
insert into raw.loaded_files (file_id, uri, delivery_date, status, lines_total, rows_loaded, rows_rejected, rows_duplicate)
overriding system value values (4, 'file:///landing/date=2026-11-05/late.ndjson', '2026-11-05', 'loaded', 3, 3, 0, 0);
insert into raw.platform_events
    (event_id, event_type, occurred_at, organization_id, event_session_id, webinar_id,
     participant_id, payload, file_id, source_uri, line_number)
values
    ('a-30', 'participant.registered', '2026-11-02 09:10:00+00', 'org-1', 'es-A', 'w-a', 'u-5', '{"email": "Bob@Example.com"}', 4, 'file:///landing/date=2026-11-05/late.ndjson', 1),
    ('a-31', 'participant.joined',     '2026-11-02 11:00:00+00', 'org-1', 'es-A', 'w-a', 'u-5', '{"connection_id": "c-5", "role": "participant", "platform": "ios"}', 4, 'file:///landing/date=2026-11-05/late.ndjson', 2),
    ('a-32', 'participant.left',       '2026-11-02 11:30:00+00', 'org-1', 'es-A', 'w-a', 'u-5', '{"connection_id": "c-5"}', 4, 'file:///landing/date=2026-11-05/late.ndjson', 3);

-- explicit file ids above: move the identity past them for later loads
select setval(pg_get_serial_sequence('raw.loaded_files', 'file_id'), (select max(file_id) from raw.loaded_files));
