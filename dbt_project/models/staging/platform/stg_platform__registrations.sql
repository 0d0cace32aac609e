with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'participant.registered'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as registered_at,
        nullif(trim(payload ->> 'email'), '') as email,
        nullif(trim(payload ->> 'first_name'), '') as first_name,
        nullif(trim(payload ->> 'last_name'), '') as last_name,
        nullif(payload -> 'fields', 'null'::jsonb) as registration_fields,
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
