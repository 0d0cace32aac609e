with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'question.asked'

),

renamed as (

    select
        event_id,
        event_session_id,
        organization_id,
        webinar_id,
        participant_id,
        occurred_at as asked_at,
        payload ->> 'question_id' as question_id,
        payload ->> 'text' as question_text,
        file_id

    from source

)

select * from renamed
