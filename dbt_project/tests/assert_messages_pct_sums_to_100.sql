{{ config(severity='warn') }}
-- in a settled session with messages, the participants' messages_pct add up to
-- ~100 (0.01 x rows of rounding).  A warning, not an error: a message posted by
-- someone who never joined, registered or was invited counts in the session's
-- total but belongs to no fct_participants row.
--
-- Settled: ended, and its newest event more than inferred_end_delay_hours older
-- than the run's clock.  Before that a file of the session may still arrive (a
-- late file holds the joins of people whose messages are already loaded): a
-- partial day is not an anomaly, so it is judged once it has settled - by the run
-- that rebuilds it then, or by the first run whose clock passes that point (the
-- previous clock is raw.run_clock), rebuilt or not.
{%- set delay = "make_interval(hours => " ~ (var('inferred_end_delay_hours') | int) ~ ")" %}
{%- set previous = adapter.get_relation(
    database=target.database, schema='raw', identifier='run_clock'
) if execute else none %}
with settled as (

    select event_session_id
    from {{ ref('int_event_sessions') }}
    where
        status = 'ended'
        and newest_event_at < {{ run_clock() }} - {{ delay }}
        and (
            {{ test_scope_predicate('__rebuilt_sessions__') }}
            {%- if previous is not none %}
                -- settled since the previous run (no previous run: every session)
                or newest_event_at >= coalesce(
                    (select clock from {{ previous }}), '-infinity'::timestamptz
                ) - {{ delay }}
            {%- endif %}
        )

),

totals as (

    select
        participants.event_session_id,
        sum(participants.messages_pct) as pct_total,
        count(*) as n_rows
    from {{ ref('fct_participants') }} as participants
    where
        participants.messages_pct is not null
        and participants.event_session_id in (select settled.event_session_id from settled)
    group by participants.event_session_id

)

select *
from totals
where abs(pct_total - 100) > 0.01 * n_rows
