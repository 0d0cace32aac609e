with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'participant.joined'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as joined_at,
        payload ->> 'connection_id' as connection_id,
        payload ->> 'role' as role,
        payload ->> 'platform' as platform,
        payload ->> 'chat_name' as chat_name,
        payload ->> 'ip' as ip,
        payload ->> 'country' as country,
        payload ->> 'city' as city,
        payload ->> 'user_agent' as user_agent,
        nullif(trim(payload ->> 'referrer'), '') as referrer,
        nullif(trim(payload -> 'utm' ->> 'source'), '') as utm_source,
        nullif(trim(payload -> 'utm' ->> 'medium'), '') as utm_medium,
        nullif(trim(payload -> 'utm' ->> 'campaign'), '') as utm_campaign,
        nullif(trim(payload -> 'utm' ->> 'content'), '') as utm_content,
        nullif(trim(payload -> 'utm' ->> 'term'), '') as utm_term,
        file_id

    from source

)

select * from renamed
