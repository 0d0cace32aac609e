{#- a session's shares add up to 100, up to the rounding of each row (0.01 x rows), and
    its counts add up to the session's participants_count (fct_traffic_sources,
    fct_devices) -#}
{% test shares_sum_to_100(model) %}
with totals as (

    select
        event_session_id,
        sum(share_pct) as share_total,
        sum(participants_count) as participants_total,
        count(*) as n_rows
    from {{ model }}
    group by event_session_id

),

sessions as (

    select * from {{ ref('fct_event_sessions') }}
    where {{ test_scope_predicate('__rebuilt_sessions__') }}

)

select totals.*, sessions.participants_count
from totals
inner join sessions on totals.event_session_id = sessions.event_session_id
where abs(totals.share_total - 100) > 0.01 * totals.n_rows
    or totals.participants_total <> sessions.participants_count
{% endtest %}
