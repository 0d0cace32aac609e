-- presence never exceeds the session's duration (union, not sum, of connections),
-- active time never exceeds presence, a connection never exceeds the session
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

participants as ({{ select_in_test_scope('fct_participants') }}),

connections as ({{ select_in_test_scope('fct_connections') }}),

violations as (

    select
        participants.event_session_id,
        participants.participant_id,
        'presence > duration' as problem
    from participants
    inner join sessions on participants.event_session_id = sessions.event_session_id
    where participants.presence_seconds > sessions.duration_seconds
    union all
    select
        event_session_id,
        participant_id,
        'active > presence' as problem
    from participants
    where active_seconds > presence_seconds
    union all
    select
        connections.event_session_id,
        connections.participant_id,
        'connection > duration' as problem
    from connections
    inner join sessions on connections.event_session_id = sessions.event_session_id
    where connections.duration_seconds > sessions.duration_seconds
    union all
    select
        event_session_id,
        null as participant_id,
        'host window > duration' as problem
    from sessions
    where host_active_seconds > duration_seconds

)

select * from violations
