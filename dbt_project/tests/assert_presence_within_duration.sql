-- presence never exceeds the session's duration (union, not sum, of connections),
-- active time never exceeds presence, a connection never exceeds the session
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

participants as ({{ select_in_test_scope('fct_participants') }}),

connections as ({{ select_in_test_scope('fct_connections') }}),

violations as (

    {#- a participant's presence, a connection's duration: never above the session's #}
    {%- for rows, seconds, problem in [
        ('participants', 'presence_seconds', 'presence > duration'),
        ('connections', 'duration_seconds', 'connection > duration'),
    ] %}
    select
        {{ rows }}.event_session_id,
        {{ rows }}.participant_id,
        '{{ problem }}' as problem
    from {{ rows }}
    inner join sessions on {{ rows }}.event_session_id = sessions.event_session_id
    where {{ rows }}.{{ seconds }} > sessions.duration_seconds
    union all
    {%- endfor %}
    select
        event_session_id,
        participant_id,
        'active > presence' as problem
    from participants
    where active_seconds > presence_seconds
    union all
    select
        event_session_id,
        null as participant_id,
        'host window > duration' as problem
    from sessions
    where host_active_seconds > duration_seconds

)

select * from violations
