{{ config(unique_key=['event_session_id', 'minute_at']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}

-- a quarantined session (longer than var max_session_days: a clock gone wrong) gets
-- no minutes: ~2 years of them would be a million rows for nothing
with sessions as (

    {{ select_rebuilt(
        'int_event_sessions', where="started_at is not null and status <> 'quarantined'"
    ) }}

),

identity as ({{ select_rebuilt('int_participant_identity') }}),

presence as ({{ select_rebuilt('int_participant_presence') }}),

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

-- the participants' presence intervals (merged per participant, so open intervals
-- = distinct participants): +1 where one starts, -1 where it ends
participant_intervals as (

    select
        presence.event_session_id,
        interval_range
    from presence
    inner join identity
        on presence.event_session_id = identity.event_session_id
            and presence.participant_id = identity.participant_id
    cross join lateral unnest(presence.presence_intervals) as interval_range
    where identity.role = 'participant'

),

-- every instant where the count can change, plus every minute's start (delta 0)
steps as (

    {{ interval_steps('participant_intervals') }}
    union all
    select
        event_session_id,
        minute_at as step_at,
        0 as step
    from session_minutes

),

-- one row per instant: the leaves and joins of one instant net out first, so a
-- leave and a join at the same second never overlap (half-open intervals)
step_totals as (

    select
        event_session_id,
        step_at,
        sum(step) as delta
    from steps
    group by event_session_id, step_at

),

-- how many are online from each instant until the next one
levels as (

    select
        event_session_id,
        step_at,
        sum(delta) over (
            partition by event_session_id
            order by step_at
            rows between unbounded preceding and current row
        ) as online_from
    from step_totals

),

-- a minute's value is its own peak: the count at its first instant (the minute's
-- start row) or after any change inside it, whichever is larger (an equi-join on
-- the minute, no range join)
minute_peaks as (

    select
        event_session_id,
        date_trunc('minute', step_at) as minute_at,
        max(online_from) as participants_online
    from levels
    group by event_session_id, date_trunc('minute', step_at)

),

online as (

    select
        session_minutes.event_session_id,
        session_minutes.minute_at,
        minute_peaks.participants_online
    from session_minutes
    inner join minute_peaks
        on session_minutes.event_session_id = minute_peaks.event_session_id
            and session_minutes.minute_at = minute_peaks.minute_at

),

final as (

    select
        event_session_id,
        minute_at,
        participants_online::bigint as participants_online
    from online

)

select * from final
