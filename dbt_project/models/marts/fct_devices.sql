{{ config(unique_key=['event_session_id', 'platform']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}
{% set session_participants = 'sum(participants_count) over (partition by event_session_id)' %}

with participants as (

    {{ select_rebuilt('fct_participants', where="connections_count > 0 and role = 'participant'") }}

),

by_platform as (

    select
        event_session_id,
        primary_platform as platform,
        count(*) as participants_count
    from participants
    group by event_session_id, primary_platform

),

final as (

    select
        event_session_id,
        platform,
        participants_count::bigint as participants_count,
        {{ pct('participants_count', session_participants) }} as share_pct
    from by_platform

)

select * from final
