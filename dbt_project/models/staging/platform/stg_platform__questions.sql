with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'question.asked'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as asked_at,
        payload ->> 'question_id' as question_id,
        payload ->> 'text' as question_text,
        file_id

    from source

)

select * from renamed
