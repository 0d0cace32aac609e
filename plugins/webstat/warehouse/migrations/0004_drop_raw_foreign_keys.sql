-- 0004: the raw tables' file_id foreign keys cost one trigger call per loaded row
-- (about 12 % of an ingest). The loader writes a file's rows and its ledger row in one
-- transaction, so the reference cannot break; the index on file_id stays.
alter table raw.platform_events drop constraint if exists platform_events_file_id_fkey;
alter table raw.duplicate_events drop constraint if exists duplicate_events_file_id_fkey;
alter table raw.rejected_lines drop constraint if exists rejected_lines_file_id_fkey;
