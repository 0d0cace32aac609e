-- 0007: the loader's careful path. When the set-based load of a file fails on
-- something the warehouse refuses of a validated line (a number jsonb cannot hold,
-- an index row too large, ...), the file is staged again as text and this function
-- loads it one line at a time, each in its own subtransaction: the refused line
-- becomes a reject with Postgres' own message, every other line loads as before
-- (first arrival of an event_id wins, in line order). Reads the caller's temporary
-- table pg_temp._careful (line_number, reason, raw_line, raw_bytes, doc text,
-- occurred_at): the lines without a reason (the validated ones).
create or replace function raw.load_lines_one_by_one(p_file_id bigint, p_uri text,
    out loaded bigint, out duplicates bigint, out refused bigint)
language plpgsql as $$
declare
    r record;
    d jsonb;
begin
    loaded := 0;
    duplicates := 0;
    refused := 0;
    for r in select line_number, doc, occurred_at, raw_line, raw_bytes
             from pg_temp._careful where reason is null order by line_number loop
        begin
            d := r.doc::jsonb;
            insert into raw.platform_events (event_id, event_type, occurred_at,
                organization_id, event_session_id, webinar_id, participant_id, payload,
                file_id, source_uri, line_number)
            values (d->>'event_id', d->>'event_type',
                coalesce(r.occurred_at, (d->>'occurred_at')::timestamptz),
                d->>'organization_id', d->>'event_session_id', d->>'webinar_id',
                d->>'participant_id', d->'payload', p_file_id, p_uri, r.line_number)
            on conflict (event_id) do nothing;
            if found then
                loaded := loaded + 1;
            else
                insert into raw.duplicate_events (file_id, source_uri, line_number, event_id,
                    event_type, occurred_at, organization_id, event_session_id)
                values (p_file_id, p_uri, r.line_number, d->>'event_id', d->>'event_type',
                    coalesce(r.occurred_at, (d->>'occurred_at')::timestamptz),
                    d->>'organization_id', d->>'event_session_id');
                duplicates := duplicates + 1;
            end if;
        exception when data_exception or program_limit_exceeded
                    or integrity_constraint_violation then
            insert into raw.rejected_lines (file_id, source_uri, line_number, raw_line,
                raw_bytes, reason)
            values (p_file_id, p_uri, r.line_number, r.raw_line, r.raw_bytes,
                'warehouse_refused: ' || left(sqlerrm, 500));
            refused := refused + 1;
        end;
    end loop;
end
$$;
