with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'participant.left'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as left_at,
        payload ->> 'connection_id' as connection_id,
        file_id

    from source

)

select * from renamed
