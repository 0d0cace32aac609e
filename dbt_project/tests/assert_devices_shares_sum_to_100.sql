-- the shares of a session add up to 100, up to the rounding of each row (0.01 x rows),
-- and the counts add up to the session's participants_count
with shares as (

    select * from {{ ref('fct_devices') }}
    where {{ test_scope_predicate('__rebuilt_sessions__') }}

),

sessions as (

    select * from {{ ref('fct_event_sessions') }}
    where {{ test_scope_predicate('__rebuilt_sessions__') }}

),

totals as (

    select
        event_session_id,
        sum(share_pct) as share_total,
        sum(participants_count) as participants_total,
        count(*) as n_rows
    from shares
    group by event_session_id

)

select totals.*, sessions.participants_count
from totals
inner join sessions on totals.event_session_id = sessions.event_session_id
where abs(totals.share_total - 100) > 0.01 * totals.n_rows
    or totals.participants_total <> sessions.participants_count
