with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'session.ended'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as ended_at,
        file_id

    from source

)

select * from renamed
