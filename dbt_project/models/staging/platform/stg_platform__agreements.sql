with source as (

    select * from {{ source('platform', 'platform_events') }}
    where event_type = 'agreement.accepted'

),

renamed as (

    select
        {{ platform_event_keys() }},
        occurred_at as accepted_at,
        payload ->> 'agreement_id' as agreement_id,
        payload ->> 'title' as agreement_title,
        file_id

    from source

)

select * from renamed
