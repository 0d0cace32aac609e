select
    {{ platform_event_columns('joined_at') }},
    payload ->> 'connection_id' as connection_id,
    payload ->> 'role' as role,
    payload ->> 'platform' as platform,
    payload ->> 'chat_name' as chat_name,
    payload ->> 'ip' as ip,
    payload ->> 'country' as country,
    payload ->> 'city' as city,
    payload ->> 'user_agent' as user_agent,
    {{ payload_attribution_columns() }}
{{ from_platform_events('participant.joined') }}
