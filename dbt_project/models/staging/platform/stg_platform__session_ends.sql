with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'session.ended'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as ended_at,
        file_id

    from source

)

select * from renamed
