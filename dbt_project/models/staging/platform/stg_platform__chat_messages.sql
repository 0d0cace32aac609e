with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'chat.message_posted'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as posted_at,
        payload ->> 'message_id' as message_id,
        payload ->> 'text' as message_text,
        file_id

    from source

)

select * from renamed
