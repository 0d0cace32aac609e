{{ config(unique_key=['event_session_id', 'check_name']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}

with {{ rebuilt_imports({
    'sessions': ['int_event_sessions', 'started_at is not null'],
    'connections': 'int_connections', 'joins': 'stg_platform__joins',
    'leaves': 'stg_platform__leaves', 'duplicates': 'stg_platform__duplicate_events',
    'rejected_lines': 'int_rejected_line_sessions'
}) }},

orphan_leaves as (

    select
        leaves.event_session_id,
        count(*) as observed_count
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

    select
        event_session_id,
        count(*) as observed_count
    from duplicates
    group by event_session_id

),

-- rejected lines whose text still names the session (a line too broken to name
-- one belongs to no session): per-session counts never add up to more than the
-- rejects there are
reject_counts as (

    select
        event_session_id,
        count(*) as observed_count
    from rejected_lines
    group by event_session_id

),

checks as (

    select
        sessions.event_session_id,
        'orphan_leaves' as check_name,
        orphan_leaves.observed_count
    from sessions
    left join orphan_leaves on sessions.event_session_id = orphan_leaves.event_session_id

    union all

    select
        sessions.event_session_id,
        'inferred_leaves' as check_name,
        connection_checks.inferred_leaves as observed_count
    from sessions
    left join connection_checks on sessions.event_session_id = connection_checks.event_session_id

    union all

    select
        sessions.event_session_id,
        'joins_outside_session' as check_name,
        connection_checks.joins_outside_session as observed_count
    from sessions
    left join connection_checks on sessions.event_session_id = connection_checks.event_session_id

    union all

    select
        sessions.event_session_id,
        'duplicate_events_dropped' as check_name,
        duplicate_counts.observed_count
    from sessions
    left join duplicate_counts on sessions.event_session_id = duplicate_counts.event_session_id

    union all

    select
        sessions.event_session_id,
        'rejected_lines' as check_name,
        reject_counts.observed_count
    from sessions
    left join reject_counts on sessions.event_session_id = reject_counts.event_session_id

    union all

    -- 1 for a quarantined session (longer than var max_session_days), else 0
    select
        sessions.event_session_id,
        'session_too_long' as check_name,
        case when sessions.status = 'quarantined' then 1 else 0 end as observed_count
    from sessions

),

final as (

    select
        event_session_id,
        check_name,
        coalesce(observed_count, 0)::bigint as observed_count
    from checks

)

select * from final
