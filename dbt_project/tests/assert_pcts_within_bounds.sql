-- every percentage of the marts lies in [0, 100] (NULL allowed); each mart is read
-- once, its percentages turned into rows beside it (fct_participants' columns have
-- no value_between tests of their own: this is their check)
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

participants as ({{ select_in_test_scope('fct_participants') }}),

pcts as (

    select
        sessions.event_session_id,
        measures.measure,
        measures.value
    from sessions
    cross join
        lateral (
            values
            ('avg_presence_pct', sessions.avg_presence_pct),
            ('host_active_pct', sessions.host_active_pct)
        ) as measures (measure, value)
    union all
    select
        participants.event_session_id,
        measures.measure,
        measures.value
    from participants
    cross join lateral (
        values
        ('presence_pct', participants.presence_pct),
        ('messages_pct', participants.messages_pct),
        ('questions_pct', participants.questions_pct),
        ('active_pct', participants.active_pct),
        ('host_window_presence_pct', participants.host_window_presence_pct),
        ('rating', participants.rating)
    ) as measures (measure, value)

)

select *
from pcts
where value < 0 or value > 100
