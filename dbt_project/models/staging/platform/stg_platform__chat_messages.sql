with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'chat.message_posted'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as posted_at,
        payload ->> 'message_id' as message_id,
        payload ->> 'text' as message_text,
        file_id

    from source

)

select * from renamed
