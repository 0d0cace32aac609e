{{ config(severity='warn') }}
-- in a session with messages, the participants' messages_pct add up to ~100
-- (0.01 x rows of rounding).  A warning, not an error: a message posted by someone
-- who never joined, registered or was invited counts in the session's total but
-- belongs to no fct_participants row.
with participants as ({{ select_in_test_scope('fct_participants') }}),

totals as (

    select
        event_session_id,
        sum(messages_pct) as pct_total,
        count(*) as n_rows
    from participants
    where messages_pct is not null
    group by event_session_id

)

select *
from totals
where abs(pct_total - 100) > 0.01 * n_rows
