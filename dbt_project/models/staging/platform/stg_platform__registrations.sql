with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'participant.registered'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as registered_at,
        nullif(trim(payload ->> 'email'), '') as email,
        nullif(trim(payload ->> 'first_name'), '') as first_name,
        nullif(trim(payload ->> 'last_name'), '') as last_name,
        nullif(payload -> 'fields', 'null'::jsonb) as registration_fields,
        {{ payload_attribution_columns() }},
        file_id

    from source

)

select * from renamed
