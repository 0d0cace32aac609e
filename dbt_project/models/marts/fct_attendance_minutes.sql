{{ config(unique_key=['event_session_id', 'minute_at']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}

-- a quarantined session (longer than var max_session_days: a clock gone wrong) gets
-- no minutes: ~2 years of them would be a million rows for nothing
with sessions as (

    select * from {{ ref('int_event_sessions') }}
    where started_at is not null
        and status <> 'quarantined'
        and {{ rebuilt_sessions_only() }}

),

identity as (

    select * from {{ ref('int_participant_identity') }}
    where {{ rebuilt_sessions_only() }}

),

presence as (

    select * from {{ ref('int_participant_presence') }}
    where {{ rebuilt_sessions_only() }}

),

-- every minute that overlaps the session [started_at, ended_at)
session_minutes as (

    select
        sessions.event_session_id,
        minute_at
    from sessions
    cross join
        lateral generate_series(
            date_trunc('minute', sessions.started_at),
            sessions.measured_until,
            interval '1 minute'
        ) as minute_at
    where minute_at < sessions.measured_until

),

-- each participant's presence widened to whole minutes: the minute range an
-- interval [lower, upper) touches is [trunc(lower), trunc(upper - 1 us) + 1 min);
-- merged per participant, so a participant counts once per minute
participant_minute_ranges as (

    select
        presence.event_session_id,
        presence.participant_id,
        range_agg(
            tstzrange(
                date_trunc('minute', lower(interval_range)),
                date_trunc('minute', upper(interval_range) - interval '1 microsecond')
                + interval '1 minute',
                '[)'
            )
        ) as minute_ranges
    from presence
    inner join identity
        on presence.event_session_id = identity.event_session_id
            and presence.participant_id = identity.participant_id
    cross join lateral unnest(presence.presence_intervals) as interval_range
    where identity.role = 'participant'
    group by presence.event_session_id, presence.participant_id

),

-- +1 where a participant's minute range starts, -1 where it ends
steps as (

    select
        event_session_id,
        lower(minute_range) as minute_at,
        1 as step
    from participant_minute_ranges
    cross join lateral unnest(minute_ranges) as minute_range
    union all
    select
        event_session_id,
        upper(minute_range) as minute_at,
        -1 as step
    from participant_minute_ranges
    cross join lateral unnest(minute_ranges) as minute_range

),

step_totals as (

    select
        event_session_id,
        minute_at,
        sum(step) as delta
    from steps
    group by event_session_id, minute_at

),

online as (

    select
        session_minutes.event_session_id,
        session_minutes.minute_at,
        sum(coalesce(step_totals.delta, 0)) over (
            partition by session_minutes.event_session_id
            order by session_minutes.minute_at
            rows between unbounded preceding and current row
        ) as participants_online
    from session_minutes
    left join step_totals
        on session_minutes.event_session_id = step_totals.event_session_id
            and session_minutes.minute_at = step_totals.minute_at

),

final as (

    select
        event_session_id,
        minute_at,
        participants_online::bigint as participants_online
    from online

)

select * from final
