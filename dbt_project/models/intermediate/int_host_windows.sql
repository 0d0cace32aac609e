{{ config(meta={'rebuild_scope': 'touched'}) }}
-- depends_on: {{ ref('int_event_sessions') }}
{# One row per event session with at least one broadcast.started: the hosts'
    active window, from the first broadcast.started to the last broadcast.stopped;
    when some host's newest broadcast event is a start (still on air at the end)
    it runs to the session's end.  Clipped to the session; a window wholly outside
    the session collapses to zero length. -#}

with {{ rebuilt_imports({
    'broadcasts': 'stg_platform__broadcasts',
    'sessions': ['int_event_sessions', 'started_at is not null']
}, scope='touched') }},

window_bounds as (

    select
        event_session_id,
        min(occurred_at) filter (where broadcast_action = 'started') as first_started_at,
        max(occurred_at) filter (where broadcast_action = 'stopped') as last_stopped_at
    from broadcasts
    group by event_session_id

),

hosts_newest_action as (

    select distinct on (event_session_id, participant_id)
        event_session_id,
        participant_id,
        broadcast_action
    from broadcasts
    order by event_session_id asc, participant_id asc, occurred_at desc, event_id desc

),

on_air_at_end as (

    select
        event_session_id,
        bool_or(broadcast_action = 'started') as has_host_on_air_at_end
    from hosts_newest_action
    group by event_session_id

),

windows as (

    select
        sessions.event_session_id,
        least(
            greatest(window_bounds.first_started_at, sessions.started_at), sessions.measured_until
        ) as window_started_at,
        case
            when on_air_at_end.has_host_on_air_at_end or window_bounds.last_stopped_at is null
                then sessions.measured_until
            else least(window_bounds.last_stopped_at, sessions.measured_until)
        end as window_ended_at
    from window_bounds
    inner join sessions on window_bounds.event_session_id = sessions.event_session_id
    inner join on_air_at_end on window_bounds.event_session_id = on_air_at_end.event_session_id
    where window_bounds.first_started_at is not null

),

final as (

    select
        event_session_id,
        window_started_at as host_active_started_at,
        greatest(window_ended_at, window_started_at) as host_active_ended_at,
        {{ range_seconds(half_open_range('window_started_at', 'window_ended_at')) }}
        as host_active_seconds
    from windows

)

select * from final
