{{ config(unique_key=['event_session_id', 'connection_id']) }}
-- depends_on: {{ ref('int_sessions_to_rebuild') }}

with connections as ({{ select_rebuilt('int_connections') }}),

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
