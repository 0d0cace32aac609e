with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'participant.joined'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as joined_at,
        payload ->> 'connection_id' as connection_id,
        payload ->> 'role' as role,
        payload ->> 'platform' as platform,
        payload ->> 'chat_name' as chat_name,
        payload ->> 'ip' as ip,
        payload ->> 'country' as country,
        payload ->> 'city' as city,
        payload ->> 'user_agent' as user_agent,
        {{ payload_attribution_columns() }},
        file_id

    from source

)

select * from renamed
