{{ config(unique_key=['event_session_id', 'connection_id'], meta={'rebuild_scope': 'touched'}) }}
-- depends_on: {{ ref('int_event_sessions') }}

with {{ rebuilt_imports({'connections': 'int_connections'}, scope='touched') }},

final as (

    select
        event_session_id,
        participant_id,
        connection_id,
        joined_at,
        left_at,
        left_inferred,
        duration_seconds::bigint as duration_seconds,
        role,
        platform,
        chat_name,
        {{ mask_ip('ip') }} as ip,  -- noqa: AL09
        country,
        city,
        user_agent
    from connections

)

select * from final
