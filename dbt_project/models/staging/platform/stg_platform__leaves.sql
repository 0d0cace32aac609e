with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'participant.left'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as left_at,
        payload ->> 'connection_id' as connection_id,
        file_id

    from source

)

select * from renamed
