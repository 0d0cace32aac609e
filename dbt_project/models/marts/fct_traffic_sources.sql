{{ config(unique_key=['event_session_id', 'referrer_source']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{% set session_participants = 'sum(participants_count) over (partition by event_session_id)' %}

with participants as (

    {{ select_rebuilt('fct_participants', where="connections_count > 0 and role = 'participant'") }}

),

by_source as (

    select
        event_session_id,
        referrer_source,
        count(*) as participants_count
    from participants
    group by event_session_id, referrer_source

),

final as (

    select
        event_session_id,
        referrer_source,
        participants_count::bigint as participants_count,
        {{ pct('participants_count', session_participants) }} as share_pct
    from by_source

)

select * from final
