-- the engagement timeline adds up: over a session's minutes, messages, questions and
-- fires sum to the session's totals, joins to the participants' connections and, once
-- the session has ended, leaves too (a connection still open in a session in progress
-- has not left). Sessions without minutes (quarantined, or 0 s from a minute's start)
-- are left to assert_attendance_minutes_cover_session.
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

participants as ({{ select_in_test_scope('fct_participants') }}),

minutes as ({{ select_in_test_scope('fct_attendance_minutes') }}),

minute_totals as (

    select
        event_session_id,
        sum(joins_count) as joins_count,
        sum(leaves_count) as leaves_count,
        sum(messages_count) as messages_count,
        sum(questions_count) as questions_count,
        sum(fires_count) as fires_count
    from minutes
    group by event_session_id

),

connection_totals as (

    select
        event_session_id,
        sum(connections_count) as connections_count
    from participants
    where role = 'participant'
    group by event_session_id

)

select sessions.event_session_id
from sessions
inner join minute_totals on sessions.event_session_id = minute_totals.event_session_id
left join connection_totals on sessions.event_session_id = connection_totals.event_session_id
where minute_totals.messages_count <> sessions.messages_count
    or minute_totals.questions_count <> sessions.questions_count
    or minute_totals.fires_count <> sessions.fires_count
    or minute_totals.joins_count <> coalesce(connection_totals.connections_count, 0)
    or (
        sessions.status = 'ended'
        and minute_totals.leaves_count <> coalesce(connection_totals.connections_count, 0)
    )
