-- every session has exactly the six data-quality checks
with sessions as ({{ select_in_test_scope('fct_event_sessions') }}),

checks as ({{ select_in_test_scope('fct_data_quality') }}),

per_session as (

    select
        event_session_id,
        count(distinct check_name) as n_checks
    from checks
    group by event_session_id

)

select sessions.event_session_id
from sessions
left join per_session on sessions.event_session_id = per_session.event_session_id
where coalesce(per_session.n_checks, 0) <> 6
