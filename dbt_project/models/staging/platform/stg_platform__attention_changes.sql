with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'attention.changed'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as changed_at,
        payload ->> 'connection_id' as connection_id,
        payload ->> 'state' as attention_state,
        payload ->> 'reason' as reason,
        file_id

    from source

)

select * from renamed
