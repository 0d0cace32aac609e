{{ config(meta={'rebuild_scope': 'touched'}) }}
-- depends_on: {{ ref('int_event_sessions') }}
{# One row per connection (a participant.joined with its connection_id), paired
    with the first participant.left of the same connection_id.  No leave: it ends at
    the session's ended_at (left_inferred); in a session still in progress it stays
    open (left_at NULL) and is measured up to the session's newest event.  The
    clipped bounds are the connection cut to [started_at, measured_until]; every
    measure uses them, half-open [clipped_joined_at, clipped_left_at). -#}

with {{ rebuilt_imports({
    'joins': 'stg_platform__joins', 'leaves': 'stg_platform__leaves',
    'sessions': ['int_event_sessions', 'started_at is not null']
}, scope='touched') }},

-- a repeated join of the same connection_id is ignored: the first one opens it
first_joins as (

    select distinct on (event_session_id, connection_id) *
    from joins
    order by event_session_id, connection_id, joined_at, event_id

),

first_leaves as (

    select
        event_session_id,
        connection_id,
        min(left_at) as left_at
    from leaves
    group by event_session_id, connection_id

),

paired as (

    select
        first_joins.event_session_id,
        first_joins.participant_id,
        first_joins.connection_id,
        first_joins.joined_at,
        first_leaves.left_at as reported_left_at,
        coalesce(first_leaves.left_at, sessions.ended_at) as left_at,
        first_leaves.left_at is null and sessions.ended_at is not null as left_inferred,
        coalesce(
            first_joins.joined_at < sessions.started_at
            or first_joins.joined_at > sessions.ended_at,
            false
        ) as is_join_outside_session,
        sessions.started_at as session_started_at,
        sessions.measured_until,
        first_joins.role,
        first_joins.platform,
        first_joins.chat_name,
        first_joins.ip,
        first_joins.country,
        first_joins.city,
        first_joins.user_agent,
        first_joins.event_id as join_event_id
    from first_joins
    inner join sessions on first_joins.event_session_id = sessions.event_session_id
    left join first_leaves
        on first_joins.event_session_id = first_leaves.event_session_id
            and first_joins.connection_id = first_leaves.connection_id

),

clipped as (

    select
        *,
        least(greatest(joined_at, session_started_at), measured_until) as clipped_joined_at,
        least(coalesce(left_at, measured_until), measured_until) as clipped_left_upper
    from paired

),

final as (

    select
        event_session_id,
        participant_id,
        connection_id,
        joined_at,
        left_at,
        left_inferred,
        is_join_outside_session,
        clipped_joined_at,
        greatest(clipped_left_upper, clipped_joined_at) as clipped_left_at,
        {{ range_seconds(half_open_range('clipped_joined_at', 'clipped_left_upper')) }}
        as duration_seconds,
        role,
        platform,
        chat_name,
        ip,
        country,
        city,
        user_agent,
        join_event_id
    from clipped

)

select * from final
