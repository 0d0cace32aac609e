-- new + returning + guest = participants_count, and the session counts agree with
-- fct_participants; the peak of concurrent participants never exceeds them
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

participants as ({{ select_in_test_scope('fct_participants') }}),

recount as (

    select
        event_session_id,
        count(*) filter (where connections_count > 0 and role = 'participant')
        as participants_count,
        count(*) filter (where connections_count > 0) as attendees_count
    from participants
    group by event_session_id

)

select sessions.event_session_id
from sessions
left join recount on sessions.event_session_id = recount.event_session_id
where sessions.new_participants_count + sessions.returning_participants_count
    + sessions.guest_participants_count <> sessions.participants_count
    or sessions.participants_count <> coalesce(recount.participants_count, 0)
    or sessions.attendees_count <> coalesce(recount.attendees_count, 0)
    or sessions.peak_concurrent_participants > sessions.participants_count
    or sessions.left_early_count > sessions.participants_count
    or sessions.joined_late_count > sessions.participants_count
    or sessions.low_presence_count > sessions.participants_count
