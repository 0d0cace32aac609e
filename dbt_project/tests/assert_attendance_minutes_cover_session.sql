-- one row for every minute overlapping [started_at, ended_at) of an ended session,
-- never more participants online than the session has, and no minute at all for a
-- quarantined session (longer than var max_session_days)
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

minutes as ({{ select_in_test_scope('fct_attendance_minutes') }}),

per_session as (

    select
        event_session_id,
        count(*) as n_minutes,
        min(minute_at) as first_minute_at,
        max(minute_at) as last_minute_at,
        max(participants_online) as max_online
    from minutes
    group by event_session_id

)

select sessions.event_session_id
from sessions
left join per_session on sessions.event_session_id = per_session.event_session_id
where sessions.status = 'quarantined' and per_session.n_minutes is not null

union all

select sessions.event_session_id
from sessions
left join per_session on sessions.event_session_id = per_session.event_session_id
where sessions.status = 'ended'
    and sessions.ended_at > sessions.started_at
    and (
        per_session.first_minute_at is distinct from date_trunc('minute', sessions.started_at)
        or per_session.last_minute_at
        is distinct from date_trunc('minute', sessions.ended_at - interval '1 microsecond')
        or per_session.n_minutes
        <> extract(epoch from (per_session.last_minute_at - per_session.first_minute_at)) / 60 + 1
        or per_session.max_online > sessions.participants_count
    )
