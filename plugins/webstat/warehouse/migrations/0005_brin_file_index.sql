-- 0005: raw.platform_events is appended file by file, so file_id follows the table's
-- physical order: a BRIN index finds a file's rows (int_event_sessions' pending files)
-- as well as the b-tree did, at a fraction of its upkeep on every loaded row.
drop index if exists raw.platform_events_file_idx;
create index if not exists platform_events_file_brin
    on raw.platform_events using brin (file_id) with (pages_per_range = 32);
