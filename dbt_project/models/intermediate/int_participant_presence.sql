{{ config(unique_key=['event_session_id', 'participant_id'], meta={'rebuild_scope': 'touched'}) }}
-- depends_on: {{ ref('int_event_sessions') }}
{# One row per (event session, attendee): presence = the UNION of the clipped
    connections (range_agg over half-open tstzranges: two devices at once count
    once, a leave and a join at the same instant do not overlap), active time = the
    union of the connections' active stretches (engagement module only, else NULL),
    and presence inside the hosts' active window (multirange intersection).
    Seconds: floor of the exact total; percentages from those whole seconds. -#}

with {{ rebuilt_imports({
    'connections': 'int_connections', 'active_stretches': 'int_connection_active_intervals'
}, scope='touched') }},

host_windows as (

    select
        *,
        {{ half_open_range('host_active_started_at', 'host_active_ended_at') }} as host_window
    from {{ ref('int_host_windows') }}
    where {{ touched_sessions_only() }}

),

{{ rebuilt_imports({'sessions': 'int_event_sessions'}, scope='touched') }},

presence as (

    select
        event_session_id,
        participant_id,
        range_agg(
            {{ half_open_range('clipped_joined_at', 'clipped_left_at') }}
        ) as presence_intervals
    from connections
    group by event_session_id, participant_id

),

activity as (

    select
        event_session_id,
        participant_id,
        range_agg({{ half_open_range('active_started_at', 'active_ended_at') }}) as active_intervals
    from active_stretches
    group by event_session_id, participant_id

),

combined as (

    select
        presence.event_session_id,
        presence.participant_id,
        sessions.duration_seconds,
        sessions.has_engagement_module,
        presence.presence_intervals,
        case
            when sessions.has_engagement_module
                then coalesce(activity.active_intervals, '{}'::tstzmultirange)
        end as active_intervals,
        host_windows.host_active_seconds,
        case
            when host_windows.event_session_id is not null
                then presence.presence_intervals * tstzmultirange(host_windows.host_window)
        end as host_window_presence_intervals
    from presence
    inner join sessions on presence.event_session_id = sessions.event_session_id
    left join activity
        on presence.event_session_id = activity.event_session_id
            and presence.participant_id = activity.participant_id
    left join host_windows on presence.event_session_id = host_windows.event_session_id

),

measured as (

    select
        *,
        {{ multirange_seconds('presence_intervals') }} as presence_seconds,
        case
            when active_intervals is not null
                then {{ multirange_seconds('active_intervals') }}
        end as active_seconds,
        case
            when host_window_presence_intervals is not null
                then {{ multirange_seconds('host_window_presence_intervals') }}
        end as host_window_presence_seconds
    from combined

),

final as (

    select
        event_session_id,
        participant_id,
        presence_intervals,
        presence_seconds,
        {{ pct('presence_seconds', 'duration_seconds') }} as presence_pct,
        active_intervals,
        active_seconds,
        {{ pct('active_seconds', 'duration_seconds') }} as active_pct,
        host_window_presence_seconds,
        {{ pct('host_window_presence_seconds', 'host_active_seconds') }} as host_window_presence_pct
    from measured

)

select * from final
