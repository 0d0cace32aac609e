{{ config(unique_key=['event_session_id', 'check_name']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}

with sessions as (

    select * from {{ ref('int_event_sessions') }}
    where started_at is not null
        and {{ rebuilt_sessions_only() }}

),

connections as (

    select * from {{ ref('int_connections') }}
    where {{ rebuilt_sessions_only() }}

),

joins as (

    select * from {{ ref('stg_platform__joins') }}
    where {{ rebuilt_sessions_only() }}

),

leaves as (

    select * from {{ ref('stg_platform__leaves') }}
    where {{ rebuilt_sessions_only() }}

),

events as (

    select * from {{ ref('stg_platform__events') }}
    where {{ rebuilt_sessions_only() }}

),

duplicates as (

    select * from {{ ref('stg_platform__duplicate_events') }}
    where {{ rebuilt_sessions_only() }}

),

rejected_lines as (

    select * from {{ ref('stg_platform__rejected_lines') }}

),

orphan_leaves as (

    select leaves.event_session_id, count(*) as observed_count
    from leaves
    where not exists (
        select 1
        from joins
        where joins.event_session_id = leaves.event_session_id
            and joins.connection_id = leaves.connection_id
    )
    group by leaves.event_session_id

),

connection_checks as (

    select
        event_session_id,
        count(*) filter (where left_inferred) as inferred_leaves,
        count(*) filter (where is_join_outside_session) as joins_outside_session
    from connections
    group by event_session_id

),

duplicate_counts as (

    select event_session_id, count(*) as observed_count
    from duplicates
    group by event_session_id

),

-- the files that carried the session's events or their later duplicates
session_files as (

    select distinct event_session_id, file_id from events
    union
    select distinct event_session_id, file_id from duplicates

),

reject_counts as (

    select session_files.event_session_id, count(*) as observed_count
    from session_files
    inner join rejected_lines on session_files.file_id = rejected_lines.file_id
    group by session_files.event_session_id

),

checks as (

    select sessions.event_session_id, 'orphan_leaves' as check_name, orphan_leaves.observed_count
    from sessions
    left join orphan_leaves on sessions.event_session_id = orphan_leaves.event_session_id

    union all

    select sessions.event_session_id, 'inferred_leaves', connection_checks.inferred_leaves
    from sessions
    left join connection_checks on sessions.event_session_id = connection_checks.event_session_id

    union all

    select sessions.event_session_id, 'joins_outside_session', connection_checks.joins_outside_session
    from sessions
    left join connection_checks on sessions.event_session_id = connection_checks.event_session_id

    union all

    select sessions.event_session_id, 'duplicate_events_dropped', duplicate_counts.observed_count
    from sessions
    left join duplicate_counts on sessions.event_session_id = duplicate_counts.event_session_id

    union all

    select sessions.event_session_id, 'rejected_lines', reject_counts.observed_count
    from sessions
    left join reject_counts on sessions.event_session_id = reject_counts.event_session_id

),

final as (

    select
        event_session_id,
        check_name,
        coalesce(observed_count, 0)::bigint as observed_count
    from checks

)

select * from final
