-- every percentage of the marts lies in [0, 100] (NULL allowed)
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

participants as ({{ select_in_test_scope('fct_participants') }}),

pcts as (

    select
        event_session_id,
        'avg_presence_pct' as measure,
        avg_presence_pct as value
    from sessions
    union all
    select
        event_session_id,
        'host_active_pct' as measure,
        host_active_pct as value
    from sessions
    union all
    select
        event_session_id,
        'presence_pct' as measure,
        presence_pct as value
    from participants
    union all
    select
        event_session_id,
        'messages_pct' as measure,
        messages_pct as value
    from participants
    union all
    select
        event_session_id,
        'questions_pct' as measure,
        questions_pct as value
    from participants
    union all
    select
        event_session_id,
        'active_pct' as measure,
        active_pct as value
    from participants
    union all
    select
        event_session_id,
        'host_window_presence_pct' as measure,
        host_window_presence_pct as value
    from participants
    union all
    select
        event_session_id,
        'rating' as measure,
        rating as value
    from participants

)

select *
from pcts
where value < 0 or value > 100
