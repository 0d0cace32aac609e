with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'attention.changed'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as changed_at,
        payload ->> 'connection_id' as connection_id,
        payload ->> 'state' as attention_state,
        payload ->> 'reason' as reason,
        file_id

    from source

)

select * from renamed
